/** The empty state of a table or list. */
import Box from "@cloudscape-design/components/box";
import type { ReactNode } from "react";

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Box margin={{ vertical: "xs" }} textAlign="center" color="inherit">
      <Box variant="strong" color="inherit">
        {title}
      </Box>
      {children ? <Box variant="p" color="inherit">{children}</Box> : null}
    </Box>
  );
}
