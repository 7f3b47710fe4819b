import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import "@cloudscape-design/global-styles/index.css";
import { I18nProvider } from "@cloudscape-design/components/i18n";
import messages from "@cloudscape-design/components/i18n/messages/all.en";
import { App } from "./App";
import { FlashProvider } from "./layout/flash";
import { SessionProvider } from "./session/SessionProvider";
import { loadRuntimeConfig } from "./api/runtimeConfig";

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");

// A deployment's /config.json names the API before the first call goes out.
void loadRuntimeConfig().finally(() => createRoot(root).render(
  <StrictMode>
    <I18nProvider locale="en" messages={[messages]}>
      <BrowserRouter>
        <FlashProvider>
          <SessionProvider>
            <App />
          </SessionProvider>
        </FlashProvider>
      </BrowserRouter>
    </I18nProvider>
  </StrictMode>,
));
