/**
 * The admin's routes: sign-in outside the layout, every page inside it and behind a session. Each
 * page is its own chunk, loaded when first shown: opening one page does not evaluate every other
 * page's code (and what only they use, such as the charts) on the main thread first.
 */
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { SignInPage } from '@/features/sign-in/sign-in-page';
import { Layout } from './layout';
import { SessionProvider } from './session-provider';

const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  {
    element: <Layout />,
    children: [
      { index: true, lazy: async () => ({ Component: (await import('@/features/overview/overview-page')).OverviewPage }) },
      { path: 'scrapers', lazy: async () => ({ Component: (await import('@/features/scrapers/scrapers-page')).ScrapersPage }) },
      { path: 'scrapers/new', lazy: async () => ({ Component: (await import('@/features/scraper-form/scraper-form-page')).ScraperFormPage }) },
      { path: 'scrapers/:slug', lazy: async () => ({ Component: (await import('@/features/scraper-detail/scraper-detail-page')).ScraperDetailPage }) },
      { path: 'scrapers/:slug/edit', lazy: async () => ({ Component: (await import('@/features/scraper-form/scraper-form-page')).ScraperFormPage }) },
      { path: 'runs', lazy: async () => ({ Component: (await import('@/features/runs/runs-page')).RunsPage }) },
      { path: 'runs/:id', lazy: async () => ({ Component: (await import('@/features/run-detail/run-detail-page')).RunDetailPage }) },
      { path: 'products', lazy: async () => ({ Component: (await import('@/features/products/products-page')).ProductsPage }) },
      { path: 'products/:id', lazy: async () => ({ Component: (await import('@/features/products/product-detail-page')).ProductDetailPage }) },
      { path: 'quality', lazy: async () => ({ Component: (await import('@/features/quality/quality-page')).QualityPage }) },
      { path: 'cleanup', lazy: async () => ({ Component: (await import('@/features/cleanup/cleanup-page')).CleanupPage }) },
      { path: 'runners', lazy: async () => ({ Component: (await import('@/features/runners/runners-page')).RunnersPage }) },
      { path: 'alerts', lazy: async () => ({ Component: (await import('@/features/alerts/alerts-page')).AlertsPage }) },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
]);

export function App() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
