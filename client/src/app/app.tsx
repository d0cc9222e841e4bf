/** The admin's routes: sign-in outside the layout, every page inside it and behind a session. */
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { CleanupPage } from '@/features/cleanup/cleanup-page';
import { OverviewPage } from '@/features/overview/overview-page';
import { QualityPage } from '@/features/quality/quality-page';
import { RunDetailPage } from '@/features/run-detail/run-detail-page';
import { RunnersPage } from '@/features/runners/runners-page';
import { RunsPage } from '@/features/runs/runs-page';
import { ScrapersPage } from '@/features/scrapers/scrapers-page';
import { SignInPage } from '@/features/sign-in/sign-in-page';
import { Layout } from './layout';
import { SessionProvider } from './session-provider';

const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: 'scrapers', element: <ScrapersPage /> },
      { path: 'runs', element: <RunsPage /> },
      { path: 'runs/:id', element: <RunDetailPage /> },
      { path: 'quality', element: <QualityPage /> },
      { path: 'cleanup', element: <CleanupPage /> },
      { path: 'runners', element: <RunnersPage /> },
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
