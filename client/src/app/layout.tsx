/** The frame of every signed-in page: skip link, header with navigation and role, and the page. */
import { useEffect, useRef } from 'react';
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { TimeZonePicker } from '@/components/time-zone-picker';
import { useSession } from '@/lib/session';
import { LiveConnectionBanner } from '@/components/live-connection-banner';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/scrapers', label: 'Scrapers' },
  { to: '/runs', label: 'Runs' },
  { to: '/products', label: 'Products' },
  { to: '/quality', label: 'Data quality' },
  { to: '/cleanup', label: 'Cleanup queue' },
  { to: '/runners', label: 'Runners' },
  { to: '/alerts', label: 'Alerts' },
];

export function Layout() {
  const { session, signOut } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(location.pathname);
  // After a client-side navigation, focus goes to the new page, as it would after a page load.
  useEffect(() => {
    if (location.pathname !== firstPath.current) {
      firstPath.current = '';
      main.current?.focus();
    }
  }, [location.pathname]);
  if (!session) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header__top">
          <span className="brand">Scrapedeck</span>
          <span className="role" data-testid="role">
            {session.role === 'ADMIN' ? 'Admin' : 'Viewer (read only)'}
          </span>
          <TimeZonePicker />
          <button type="button" className="button button--quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
        <nav aria-label="Main" className="app-nav">
          {NAV.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.end} className="app-nav__link">
              {item.label}
            </NavLink>
          ))}
        </nav>
      </header>
      <LiveConnectionBanner />
      <main id="main" className="page" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </>
  );
}
