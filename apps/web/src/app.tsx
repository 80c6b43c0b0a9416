import lazy from 'preact-iso/lazy';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso/router';
import { Layout } from './components/layout';
import { I18nProvider } from './locale';
import { InboxPage } from './pages/inbox-page';
import { LoginPage } from './pages/login-page';
import { SessionGate } from './session';

// The first page (login or inbox) ships alone; the others load when first opened (QUALITY.md P6).
const CasesPage = lazy(() => import('./pages/cases-page').then((module) => module.CasesPage));
const NewCasePage = lazy(() => import('./pages/new-case-page').then((module) => module.NewCasePage));
const EditCasePage = lazy(() => import('./pages/edit-case-page').then((module) => module.EditCasePage));
const CasePage = lazy(() => import('./pages/case-page').then((module) => module.CasePage));
const NotificationsPage = lazy(() => import('./pages/notifications-page').then((module) => module.NotificationsPage));
const NotFoundPage = lazy(() => import('./pages/not-found-page').then((module) => module.NotFoundPage));

function Routes() {
  const { path } = useLocation();
  if (path === '/login') return <LoginPage />;
  return (
    <SessionGate>
      <Layout>
        <Router>
          <Route path="/" component={InboxPage} />
          <Route path="/cases" component={CasesPage} />
          <Route path="/cases/new" component={NewCasePage} />
          <Route path="/cases/:id" component={CasePage} />
          <Route path="/cases/:id/edit" component={EditCasePage} />
          <Route path="/notifications" component={NotificationsPage} />
          <Route default component={NotFoundPage} />
        </Router>
      </Layout>
    </SessionGate>
  );
}

export function App() {
  return (
    <I18nProvider>
      <LocationProvider>
        <Routes />
      </LocationProvider>
    </I18nProvider>
  );
}
