/**
 * The editable part of a run's details: its name, description and tags, and the
 * trash (with Undo). Changes go through `POST /api/run-edits`; a refusal (a live
 * process still holds the run) is shown where the change was made.
 */

import type { ConfigValue, RunSummary } from "./api.ts";
import type { Notices } from "./banner.ts";
import { h } from "./dom.ts";
import { editRuns, failures, type RunEdit } from "./edits-api.ts";

export interface EditorHost {
  /** Runs were written: fetch them again and redraw. */
  edited(runs: readonly RunSummary[]): Promise<void>;
  readonly notices: Notices;
}

/** Writes `edit` to `run`; resolves with the refusal's words, or "" when it was written. */
async function write(run: RunSummary, edit: RunEdit, host: EditorHost): Promise<string> {
  try {
    const results = await editRuns([run], edit);
    // Redrawn only when written: a redraw makes a new form, and the refusal must stay
    // in sight beside the change that was refused.
    if (results.some((result) => result.ok)) await host.edited([run]);
    return failures(results);
  } catch (error) {
    return `Nothing was changed: ${(error as Error).message}`;
  }
}

export function editor(
  run: RunSummary,
  configs: Record<string, ConfigValue> | undefined,
  host: EditorHost,
): HTMLElement {
  const error = h("p", { class: "error edit-error", role: "alert" });
  const report = (problem: string) => {
    error.textContent = problem;
  };
  const name = h("input", {
    type: "text",
    value: run.experiment_name ?? "",
    maxlength: 200,
    "aria-label": "Run name",
  });
  const description = h("textarea", { rows: 2, "aria-label": "Run description" });
  description.value =
    typeof configs?.["sys/description"] === "string" ? configs["sys/description"] : "";
  const tags = Array.isArray(configs?.["sys/tags"]) ? (configs["sys/tags"] as string[]) : [];
  const newTag = h("input", {
    type: "text",
    placeholder: "new tag",
    "aria-label": "New tag",
    list: "tag-list",
  });
  const save = h(
    "button",
    {
      type: "submit",
      onclick: async (event: Event) => {
        event.preventDefault();
        const edit: RunEdit = {};
        const newName = name.value.trim();
        if (newName !== (run.experiment_name ?? "")) edit.name = newName;
        const before =
          typeof configs?.["sys/description"] === "string" ? configs["sys/description"] : "";
        if (description.value !== before) edit.description = description.value;
        const added = newTag.value.trim();
        if (added) edit.add_tags = [added];
        if (Object.keys(edit).length === 0) return;
        report(await write(run, edit, host));
      },
    },
    "Save",
  );
  const trash = h(
    "button",
    {
      class: run.trashed ? undefined : "danger",
      onclick: async () => {
        const to = !run.trashed;
        const problem = await write(run, { trashed: to }, host);
        report(problem);
        if (!problem)
          host.notices.show(to ? `Moved ${run.run_id} to the trash.` : `Restored ${run.run_id}.`, {
            label: "Undo",
            run: () => void write(run, { trashed: !to }, host).then(report),
          });
      },
    },
    run.trashed ? "Restore from trash" : "Move to trash",
  );
  return h(
    "form",
    {
      class: "run-editor",
      "aria-label": "Edit run",
      onsubmit: (event: Event) => event.preventDefault(),
    },
    h("label", {}, "Name ", name),
    h("label", { class: "wide" }, "Description ", description),
    h(
      "div",
      { class: "tag-editor" },
      "Tags ",
      ...tags.map((tag) =>
        h(
          "span",
          { class: "tag" },
          tag,
          h(
            "button",
            {
              type: "button",
              class: "remove",
              "aria-label": `Remove tag ${tag}`,
              onclick: async () => report(await write(run, { remove_tags: [tag] }, host)),
            },
            "×",
          ),
        ),
      ),
      newTag,
    ),
    h("div", { class: "editor-actions" }, save, trash),
    error,
  );
}
