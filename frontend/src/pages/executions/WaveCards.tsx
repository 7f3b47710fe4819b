/** One card per wave: status, dependencies, progress and server counts (a light grid). */
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { memo } from "react";
import type { ExecutionWave } from "../../api/executions";
import { Status } from "../../components/Status";
import { waveProgress } from "./progress";
import { StepList } from "./StepList";

const GRID = { display: "grid", gap: 16, gridTemplateColumns: "repeat(auto-fill, minmax(280px, 1fr))" };

const WaveCard = memo(function WaveCard({ wave }: { wave: ExecutionWave }) {
  const counts = Object.entries(wave.counts ?? {});
  return (
    <Container header={<Header variant="h3"><span data-testid={`wave-${wave.name}`}>{wave.name}</span></Header>}>
      <SpaceBetween size="xs">
        <Status value={wave.status} />
        <ProgressBar value={waveProgress(wave)} label="Servers done" description={`${wave.server_count} server(s)`} />
        <Box fontSize="body-s">
          {counts.map(([status, n]) => `${status} ${n}`).join(" · ") || "no servers"}
        </Box>
        <Box fontSize="body-s" color="text-body-secondary">
          Runs after {(wave.depends_on ?? []).join(", ") || "start"}
          {wave.pause_before ? " · pauses before start" : ""}
        </Box>
        <StepList wave={wave.name} steps={wave.steps ?? []} />
      </SpaceBetween>
    </Container>
  );
});

export function WaveCards({ waves }: { waves: ExecutionWave[] }) {
  return (
    <section aria-label="Waves" style={GRID}>
      {waves.map((w) => (
        <WaveCard key={w.name} wave={w} />
      ))}
    </section>
  );
}
