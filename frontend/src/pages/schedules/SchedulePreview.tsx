/** The next run times of the cron being typed, asked of the server as it changes. */
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import { api } from "../../api/client";
import { useDebounced } from "../../api/useDebounced";
import { useResource } from "../../api/useResource";
import { inZone } from "./scheduleForm";

export function SchedulePreview({ cron, timezone }: { cron: string; timezone: string }) {
  // A string, not an object: a new object each render would never settle.
  const [wantedCron = "", wantedZone = "UTC"] = useDebounced(`${cron.trim()}\n${timezone.trim() || "UTC"}`, 300).split("\n");
  const wanted = { cron: wantedCron, timezone: wantedZone };
  const ready = wanted.cron.split(/\s+/).length === 5;
  const preview = useResource(
    (signal) => (ready ? api.previewSchedule(wanted.cron, wanted.timezone, signal) : Promise.resolve(undefined)),
    [wanted.cron, wanted.timezone, ready],
  );
  if (!ready) return null;
  if (preview.error) return <Alert type="warning" header="No preview">{preview.error.problem.detail}</Alert>;
  if (!preview.data) return <Box color="text-status-inactive">Working out the next runs…</Box>;
  return (
    <section aria-label="Next runs">
      <Box variant="awsui-key-label">Next runs: {preview.data.description}</Box>
      <ol>
        {preview.data.times.map((time) => <li key={time}>{inZone(time, wanted.timezone)}</li>)}
      </ol>
    </section>
  );
}
