/**
 * The web UI of `goodseed serve`: it reads only the JSON API, so it also works against
 * any other goodseed server.
 */

interface RunRow {
  project: string;
  run_id: string;
  experiment_name: string | null;
  created_at: string | null;
  status: string;
  metric_paths: string[];
}

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function render(): Promise<void> {
  const app = document.getElementById("app") as HTMLElement;
  const response = await fetch("api/runs");
  const { runs } = (await response.json()) as { runs: RunRow[] };
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const title of ["Project", "Run", "Name", "Status", "Created", "Metrics"]) {
    const th = document.createElement("th");
    th.textContent = title;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const run of runs) {
    const row = body.insertRow();
    row.append(
      cell(run.project),
      cell(run.run_id),
      cell(run.experiment_name ?? ""),
      cell(run.status, run.status === "running" ? "live" : undefined),
      cell((run.created_at ?? "").slice(0, 19).replace("T", " ")),
      cell(String(run.metric_paths.length)),
    );
  }
  app.replaceChildren(table);
  (document.getElementById("status") as HTMLElement).textContent = `${runs.length} runs`;
}

void render();
