/** The top bar: the product name and the user menu (name, role, sign out). */
import TopNavigation from "@cloudscape-design/components/top-navigation";
import { useNavigate } from "react-router-dom";
import { useFlash } from "./flash";
import { useSession } from "../session/SessionProvider";

export const TOP_BAR_ID = "drorch-top-bar";

/** "recovery_manager" -> "Recovery manager". */
export function roleLabel(role: string): string {
  const words = role.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function TopBar() {
  const session = useSession();
  const navigate = useNavigate();
  const flash = useFlash();
  const signOut = () => {
    session?.signOut().catch((error: unknown) => flash.notifyError("Sign out did not reach the server", error));
    navigate("/");
  };
  const user = session?.user;
  return (
    <div id={TOP_BAR_ID} style={{ position: "sticky", top: 0, zIndex: 1002 }}>
      <TopNavigation
        i18nStrings={{
          overflowMenuTriggerText: "Menu",
          overflowMenuTitleText: "Menu",
          overflowMenuBackIconAriaLabel: "Back",
          overflowMenuDismissIconAriaLabel: "Close menu",
        }}
        identity={{ title: "drorch", href: "/", onFollow: (e) => { e.preventDefault(); navigate("/"); } }}
        utilities={user ? [{
          type: "menu-dropdown",
          text: user.display_name || user.username,
          description: `${user.username} · ${roleLabel(user.role)} role`,
          iconName: "user-profile",
          ariaLabel: `User menu: ${user.display_name || user.username}, ${roleLabel(user.role)}`,
          items: [{ id: "sign-out", text: "Sign out" }],
          onItemClick: ({ detail }) => { if (detail.id === "sign-out") signOut(); },
        }] : []}
      />
    </div>
  );
}
