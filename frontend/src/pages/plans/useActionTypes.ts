/** The action types the wave editor offers (empty while loading or if the API refuses). */
import { actionsApi, type ActionType } from "../../api/actions";
import { useResource } from "../../api/useResource";

export function useActionTypes(): ActionType[] {
  const types = useResource((signal) => actionsApi.types(signal).catch(() => [] as ActionType[]), []);
  return types.data ?? [];
}
