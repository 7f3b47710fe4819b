/** Page size and visible columns of the server table. */
import CollectionPreferences, {
  type CollectionPreferencesProps,
} from "@cloudscape-design/components/collection-preferences";
import { SERVER_COLUMNS } from "./serverColumns";

interface Props {
  preferences: CollectionPreferencesProps.Preferences;
  onChange: (value: CollectionPreferencesProps.Preferences) => void;
}

export function ServerPreferences({ preferences, onChange }: Props) {
  return (
    <CollectionPreferences
      title="Preferences"
      confirmLabel="Confirm"
      cancelLabel="Cancel"
      preferences={preferences}
      onConfirm={({ detail }) => onChange(detail)}
      pageSizePreference={{
        title: "Page size",
        options: [25, 50, 100, 200].map((value) => ({ value, label: `${value} servers` })),
      }}
      contentDisplayPreference={{
        title: "Columns",
        options: SERVER_COLUMNS.map((c) => ({
          id: c.id ?? "",
          label: String(c.header),
          alwaysVisible: c.id === "hostname",
        })),
      }}
    />
  );
}
