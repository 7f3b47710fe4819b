import { render, screen, waitFor, within } from "@testing-library/react";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Role } from "../../api/identity";
import type { Channel, Delivery } from "../../api/notifications";
import { FlashProvider, useFlash } from "../../layout/flash";
import { AsRole } from "../../test/access";
import { fakeApi, fill, type Answer } from "../../test/fakeApi";
import { channelDraftOf, channelProblems, emptyChannelForm } from "./channelForm";
import { NotificationsPage } from "./NotificationsPage";

const AT = "2026-12-01T10:00:00Z";
const HOOK: Channel = {
  id: "nc-hook", name: "ops-hook", type: "webhook", enabled: true, config: { type: "webhook", url: "https://hooks.example.org/x" },
  secret_set: true, version: 1, created_at: AT, updated_at: AT,
};
const MAIL: Channel = {
  id: "nc-mail", name: "dr-mail", type: "email", enabled: true, secret_set: true, version: 3, created_at: AT, updated_at: AT,
  config: { type: "email", host: "smtp.example.org", port: 587, tls: "starttls", sender: "drorch@example.org", recipients: ["oncall@example.org"], username: "drorch" },
};

function delivery(id: string, status: Delivery["status"], codes: (number | null)[]): Delivery {
  return {
    id, channel_id: HOOK.id, channel_name: HOOK.name, channel_type: "webhook", kind: "execution.failed",
    subject: { type: "execution", id: "ex-1", plan_id: "rp-1", plan_name: "web" }, title: "drorch: DRILL ex-1 of plan 'web' failed",
    text: "DRILL ex-1 of plan 'web' failed.", link: "http://127.0.0.1:8080/executions/ex-1", payload: {}, status,
    created_at: AT, next_attempt_at: null, delivered_at: null,
    attempts: codes.map((code, i) => ({ n: i + 1, at: AT, ok: code === 200, status_code: code, error: code === 200 ? null : `webhook answered HTTP ${code}`, duration_ms: 12 })),
  };
}

function FlashMessages() {
  const { items } = useFlash();
  return <ul aria-label="Flash messages">{items.map((item) => <li key={item.id}>{String(item.header)}: {String(item.content ?? "")}</li>)}</ul>;
}

function renderPage(role: Role = "admin", routes: Record<string, () => Answer> = {}) {
  const fake = fakeApi({
    "GET /api/v1/notification-channels": () => ({ body: [HOOK, MAIL] }),
    "GET /api/v1/notification-subscriptions": () => ({ body: [{ id: "ns-1", channel_id: HOOK.id, plan_id: null, events: ["execution.failed", "execution.stuck"], enabled: true, version: 1, created_at: AT, updated_at: AT }] }),
    "GET /api/v1/notifications": () => ({ body: { items: [delivery("nt-1", "DELIVERED", [500, 200])], next_cursor: null } }),
    ...routes,
  });
  render(<MemoryRouter><AsRole role={role}><FlashProvider><FlashMessages /><NotificationsPage /></FlashProvider></AsRole></MemoryRouter>);
  return fake;
}

afterEach(() => vi.unstubAllGlobals());

describe("NotificationsPage", () => {
  it("lists channels, subscriptions and deliveries, and shows a delivery's attempts", async () => {
    renderPage("viewer");
    const tables = () => createWrapper().findAllTables();
    await waitFor(() => expect(tables()[0]!.findRows()).toHaveLength(2));
    expect(tables()[0]!.findBodyCell(2, 4)!.getElement().textContent).toBe("oncall@example.org via smtp.example.org:587");
    await waitFor(() => expect(tables()[1]!.findRows()).toHaveLength(1));
    expect(tables()[1]!.findBodyCell(1, 3)!.getElement().textContent).toBe("Every plan");
    expect(tables()[1]!.findBodyCell(1, 4)!.getElement().textContent).toBe("Execution failed, Execution stuck");
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("radio", { name: "Select nt-1" }));
    const attempts = createWrapper().findTable('[aria-label="Attempts"]') ?? tables()[3]!;
    expect(attempts.findRows()).toHaveLength(2);
    expect(attempts.findBodyCell(1, 4)!.getElement().textContent).toBe("500");
    expect(attempts.findBodyCell(1, 5)!.getElement().textContent).toBe("webhook answered HTTP 500");
  });

  it("adds a webhook channel and shows its signing secret once", async () => {
    const fake = renderPage("admin", {
      "POST /api/v1/notification-channels": () => ({ status: 201, body: { ...HOOK, id: "nc-new", name: "pager", signing_secret: "whsec_shown-once" } }),
    });
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("button", { name: "Add channel" }));
    const dialog = within(screen.getByRole("dialog"));
    await fill(user, dialog.getByLabelText("Name"), "pager");
    await fill(user, dialog.getByLabelText("URL"), "not a url");
    expect(dialog.getByText("An http:// or https:// URL.")).toBeTruthy();
    await user.clear(dialog.getByLabelText("URL"));
    await fill(user, dialog.getByLabelText("URL"), "https://pager.example.org/hook");
    await user.click(dialog.getByRole("button", { name: "Add channel" }));
    expect(await screen.findByText("whsec_shown-once")).toBeTruthy();
    const posted = fake.calls.find((c) => c.method === "POST");
    expect(posted?.body).toEqual({ name: "pager", enabled: true, config: { type: "webhook", url: "https://pager.example.org/hook" } });
  });

  it("sends a test and says when it failed", async () => {
    const fake = renderPage("recovery_manager", {
      "POST /api/v1/notification-channels/nc-hook/test": () => ({ body: delivery("nt-2", "FAILED", [502]) }),
    });
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("radio", { name: "Select ops-hook" }));
    await user.click(screen.getByRole("button", { name: "Send test" }));
    expect(await screen.findByText("Test over ops-hook failed: webhook answered HTTP 502")).toBeTruthy();
    expect(fake.calls.some((c) => c.method === "POST" && c.path.endsWith("/test"))).toBe(true);
  });

  it("disables every change for an operator, with the reason", async () => {
    const fake = renderPage("operator");
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("radio", { name: "Select ops-hook" }));
    for (const name of ["Add channel", "Send test", "Edit", "Delete", "Add subscription"]) {
      const button = screen.getAllByRole("button", { name })[0]!;
      expect(button.getAttribute("aria-disabled")).toBe("true");
      const described = document.getElementById(button.getAttribute("aria-describedby") ?? "");
      expect(described?.textContent).toBe("Needs the recovery_manager role (permission notifications:write)");
    }
    expect(fake.calls.every((c) => c.method === "GET")).toBe(true);
  });

  it("keeps an email password out of the body unless one is typed", () => {
    const form = { ...emptyChannelForm(), type: "email" as const, name: "m", host: "smtp.example.org", sender: "a@example.org", recipients: "b@example.org, c@example.org" };
    expect(channelProblems(form)).toEqual({});
    expect(channelDraftOf(form)).toEqual({
      name: "m", enabled: true,
      config: { type: "email", host: "smtp.example.org", port: 587, tls: "starttls", sender: "a@example.org", recipients: ["b@example.org", "c@example.org"], username: null },
    });
    expect(channelDraftOf({ ...form, password: "pw" }).password).toBe("pw");
    expect(channelProblems({ ...form, recipients: "nobody" }).recipients).toMatch(/email addresses/);
    expect(channelProblems({ ...form, type: "sns", topic_arn: "arn:aws:s3:::b" }).topic_arn).toBeTruthy();
  });
});
