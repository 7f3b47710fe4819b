/**
 * The console frame: side navigation, breadcrumbs, flash messages and the page.
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
import { useFlash } from "./flash";

const NAV_ITEMS: SideNavigationProps.Item[] = [
  { type: "link", text: "Dashboard", href: "/" },
  { type: "divider" },
  { type: "link", text: "Source servers", href: "/servers" },
  { type: "link", text: "Protection groups", href: "/groups" },
  { type: "link", text: "Recovery plans", href: "/plans" },
  { type: "link", text: "Executions", href: "/executions" },
];

function activeHref(pathname: string): string {
  const match = NAV_ITEMS.find(
    (item) => item.type === "link" && item.href !== "/" && pathname.startsWith(item.href),
  );
  return match && match.type === "link" ? match.href : "/";
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
  return (
    <CrumbContext.Provider value={setCrumbs}>
      <AppLayout
        navigation={
          <SideNavigation
            header={{ text: "drorch", href: "/" }}
            activeHref={activeHref(location.pathname)}
            items={NAV_ITEMS}
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
