/**
 * The console frame: top bar, side navigation, breadcrumbs, flash messages and the page.
 *
 * `Frame` (the Cloudscape AppLayout) is rendered once around all routes so that moving
 * between pages re-renders only the page; a page declares its breadcrumbs with `Shell`.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import AppLayout from "@cloudscape-design/components/app-layout";
import BreadcrumbGroup, {
  type BreadcrumbGroupProps,
} from "@cloudscape-design/components/breadcrumb-group";
import Flashbar from "@cloudscape-design/components/flashbar";
import SideNavigation, {
  type SideNavigationProps,
} from "@cloudscape-design/components/side-navigation";
import { useAccess, type Access } from "../session/access";
import { useFlash } from "./flash";
import { TOP_BAR_ID, TopBar } from "./TopBar";

const MAIN_ITEMS: SideNavigationProps.Item[] = [
  { type: "link", text: "Dashboard", href: "/" },
  { type: "divider" },
  { type: "link", text: "Source servers", href: "/servers" },
  { type: "link", text: "Protection groups", href: "/groups" },
  { type: "link", text: "Recovery plans", href: "/plans" },
  { type: "link", text: "Executions", href: "/executions" },
  { type: "link", text: "Schedules", href: "/schedules" },
];

/** The side navigation for this user: Accounts, Audit and Users only for those who may read them. */
export function navItems(access: Access): SideNavigationProps.Item[] {
  const admin: SideNavigationProps.Item[] = [];
  if (access.can("accounts:read")) admin.push({ type: "link", text: "Target accounts", href: "/accounts" });
  if (access.can("notifications:read")) admin.push({ type: "link", text: "Notifications", href: "/notifications" });
  if (access.can("audit:read")) admin.push({ type: "link", text: "Audit log", href: "/audit" });
  if (access.can("users:read")) admin.push({ type: "link", text: "Users", href: "/users" });
  return admin.length ? [...MAIN_ITEMS, { type: "divider" }, ...admin] : MAIN_ITEMS;
}

/** The item to highlight: its own address or one below it; nothing for unknown addresses. */
export function activeHref(pathname: string, items: SideNavigationProps.Item[]): string {
  const inside = (href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));
  const match = items.find((item) => item.type === "link" && inside(item.href));
  return match && match.type === "link" ? match.href : "";
}

export interface Crumb {
  text: string;
  href: string;
}

const CrumbContext = createContext<(crumbs: Crumb[]) => void>(() => undefined);

/** Follow in-app links without a page reload. */
function useRouterFollow() {
  const navigate = useNavigate();
  return (event: CustomEvent<{ href: string; external?: boolean }>) => {
    if (event.detail.external) return;
    event.preventDefault();
    navigate(event.detail.href);
  };
}

export function Frame({ children }: { children: ReactNode }) {
  const location = useLocation();
  const follow = useRouterFollow();
  const { items } = useFlash();
  const [crumbs, setCrumbs] = useState<Crumb[]>([]);
  const all: BreadcrumbGroupProps.Item[] = [{ text: "drorch", href: "/" }, ...crumbs];
  const nav = navItems(useAccess());
  return (
    <CrumbContext.Provider value={setCrumbs}>
      <TopBar />
      <AppLayout
        headerSelector={`#${TOP_BAR_ID}`}
        navigation={
          <SideNavigation
            header={{ text: "drorch", href: "/" }}
            activeHref={activeHref(location.pathname, nav)}
            items={nav}
            onFollow={follow}
          />
        }
        breadcrumbs={<BreadcrumbGroup items={all} ariaLabel="Breadcrumbs" onFollow={follow} />}
        notifications={
          <Flashbar
            items={items}
            stackItems={items.length > 2}
            i18nStrings={{
              ariaLabel: "Notifications",
              notificationBarText: "Notifications",
              notificationBarAriaLabel: "View all notifications",
              errorIconAriaLabel: "Error",
              successIconAriaLabel: "Success",
              warningIconAriaLabel: "Warning",
              infoIconAriaLabel: "Information",
              inProgressIconAriaLabel: "In progress",
            }}
          />
        }
        toolsHide
        content={children}
        contentType="default"
        ariaLabels={{
          navigation: "Side navigation",
          navigationClose: "Close side navigation",
          navigationToggle: "Open side navigation",
          notifications: "Notifications",
        }}
      />
    </CrumbContext.Provider>
  );
}

interface ShellProps {
  breadcrumbs: Crumb[];
  children: ReactNode;
}

/** A page inside the frame: sets the breadcrumbs, renders the content. */
export function Shell({ breadcrumbs, children }: ShellProps) {
  const setCrumbs = useContext(CrumbContext);
  const key = JSON.stringify(breadcrumbs);
  useEffect(() => {
    setCrumbs(JSON.parse(key) as Crumb[]);
  }, [key, setCrumbs]);
  return <>{children}</>;
}
