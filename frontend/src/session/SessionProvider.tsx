/**
 * The signed-in user for the whole console. Without a session it shows the sign-in page;
 * when a session ends mid-work (refresh refused) it opens the sign-in modal over the page,
 * so nothing typed is lost, and the requests that met the 401 go on once signed in.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import Spinner from "@cloudscape-design/components/spinner";
import { setSessionRenewal } from "../api/http";
import type { Me } from "../api/identity";
import { refreshSession, signOut as endSession } from "../api/session";
import { refreshToken } from "../api/tokens";
import { AccessContext, accessFor } from "./access";
import { SignInModal } from "./SignInModal";
import { SignInPage } from "./SignInPage";

interface Session {
  user: Me;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session | undefined {
  return useContext(SessionContext);
}

interface Pending {
  promise: Promise<void>;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

function pending(): Pending {
  let resolve: () => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<void>((ok, fail) => { resolve = ok; reject = fail; });
  return { promise, resolve, reject };
}

/** Renewal shared by every request that meets a 401: one refresh, else one modal. */
function useRenewal(setUser: (user: Me) => void) {
  const [prompt, setPrompt] = useState<Pending | undefined>();
  const inFlight = useRef<Promise<void> | undefined>(undefined);
  const renew = useCallback(() => {
    inFlight.current ??= refreshSession()
      .then(setUser)
      .catch(() => {
        const waiting = pending();
        setPrompt(waiting);
        return waiting.promise;
      })
      .finally(() => { inFlight.current = undefined; });
    return inFlight.current;
  }, [setUser]);
  useEffect(() => {
    setSessionRenewal(renew);
    return () => setSessionRenewal(undefined);
  }, [renew]);
  return { prompt, settle: () => setPrompt(undefined) };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | undefined>();
  const [checking, setChecking] = useState(() => refreshToken() !== undefined);
  const renewal = useRenewal(setUser);

  useEffect(() => {
    if (!checking) return;
    refreshSession().then(setUser).catch(() => undefined).finally(() => setChecking(false));
  }, [checking]);

  const signOut = useCallback(async () => {
    try {
      await endSession();
    } finally {
      setUser(undefined);
    }
  }, []);
  const access = useMemo(() => accessFor(user), [user]);
  const session = useMemo(() => (user ? { user, signOut } : undefined), [user, signOut]);

  if (checking) return <Spinner size="large" />;
  if (!user) return <SignInPage onSignedIn={setUser} />;
  const { prompt } = renewal;
  return (
    <SessionContext.Provider value={session}>
      <AccessContext.Provider value={access}>
        {children}
        {prompt && (
          <SignInModal
            username={user.username}
            onSignedIn={(me) => { setUser(me); renewal.settle(); prompt.resolve(); }}
            onDismiss={() => { renewal.settle(); prompt.reject(new Error("sign-in dismissed")); }}
          />
        )}
      </AccessContext.Provider>
    </SessionContext.Provider>
  );
}
