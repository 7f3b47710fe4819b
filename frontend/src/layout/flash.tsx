/** Flash notifications shared by every page (Cloudscape Flashbar items). */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import type { FlashbarProps } from "@cloudscape-design/components/flashbar";
import { asApiError } from "../api/problem";

type Kind = "success" | "error" | "info" | "warning";

interface FlashApi {
  items: FlashbarProps.MessageDefinition[];
  notify: (kind: Kind, header: string, content?: string) => void;
  notifyError: (header: string, error: unknown) => void;
}

const FlashContext = createContext<FlashApi | undefined>(undefined);
let counter = 0;

export function FlashProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<FlashbarProps.MessageDefinition[]>([]);

  const dismiss = useCallback((id: string) => {
    setItems((current) => current.filter((item) => item.id !== id));
  }, []);

  const notify = useCallback(
    (kind: Kind, header: string, content?: string) => {
      counter += 1;
      const id = `flash-${counter}`;
      const item: FlashbarProps.MessageDefinition = {
        id,
        type: kind,
        header,
        content,
        dismissible: true,
        dismissLabel: "Dismiss message",
        onDismiss: () => dismiss(id),
      };
      setItems((current) => [item, ...current].slice(0, 5));
      // Good news fades on its own; errors and warnings stay until dismissed.
      if (kind === "success" || kind === "info") setTimeout(() => dismiss(id), 8000);
    },
    [dismiss],
  );

  const notifyError = useCallback(
    (header: string, error: unknown) => {
      const problem = asApiError(error).problem;
      const fields = problem.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
      notify("error", header, [problem.detail, ...fields.slice(0, 5)].join(" — "));
    },
    [notify],
  );

  const value = useMemo(() => ({ items, notify, notifyError }), [items, notify, notifyError]);
  return <FlashContext.Provider value={value}>{children}</FlashContext.Provider>;
}

export function useFlash(): FlashApi {
  const value = useContext(FlashContext);
  if (!value) throw new Error("useFlash needs a FlashProvider");
  return value;
}
