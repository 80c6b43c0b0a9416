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
const SettingsPage = lazy(() => import('./pages/settings-page').then((module) => module.SettingsPage));
const NotFoundPage = lazy(() => import('./pages/not-found-page').then((module) => module.NotFoundPage));
const AdminPage = lazy(() => import('./pages/admin-page').then((module) => module.AdminPage));
const AdminUsersPage = lazy(() => import('./pages/admin-users-page').then((module) => module.AdminUsersPage));
const AdminOrganisationsPage = lazy(() => import('./pages/admin-organisations-page').then((module) => module.AdminOrganisationsPage));
const AdminCallsPage = lazy(() => import('./pages/admin-calls-page').then((module) => module.AdminCallsPage));
const AdminPolicyPage = lazy(() => import('./pages/admin-policy-page').then((module) => module.AdminPolicyPage));

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
          <Route path="/settings" component={SettingsPage} />
          {/* Not /admin/…: the server keeps /admin for itself (components/admin-paths.ts). */}
          <Route path="/administration" component={AdminPage} />
          <Route path="/administration/users" component={AdminUsersPage} />
          <Route path="/administration/organisations" component={AdminOrganisationsPage} />
          <Route path="/administration/calls" component={AdminCallsPage} />
          <Route path="/administration/policy" component={AdminPolicyPage} />
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
