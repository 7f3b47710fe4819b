/** Key/value rows of a tag selector: every tag must match. */
import AttributeEditor from "@cloudscape-design/components/attribute-editor";
import Input from "@cloudscape-design/components/input";
import type { TagRow } from "./groupDraft";

interface Props {
  tags: TagRow[];
  onChange: (tags: TagRow[]) => void;
  errorText?: string;
}

export function TagEditor({ tags, onChange, errorText }: Props) {
  const update = (index: number, patch: Partial<TagRow>) =>
    onChange(tags.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <AttributeEditor<TagRow>
      items={tags}
      addButtonText="Add tag"
      removeButtonText="Remove"
      onAddButtonClick={() => onChange([...tags, { key: "", value: "" }])}
      onRemoveButtonClick={({ detail }) => onChange(tags.filter((_, i) => i !== detail.itemIndex))}
      empty="No tags: add at least one."
      additionalInfo={errorText}
      definition={[
        {
          label: "Tag key",
          control: (row, index) => (
            <Input
              value={row.key}
              placeholder="e.g. app"
              ariaLabel={`Tag key ${index + 1}`}
              onChange={({ detail }) => update(index, { key: detail.value })}
            />
          ),
        },
        {
          label: "Tag value",
          control: (row, index) => (
            <Input
              value={row.value}
              placeholder="e.g. billing"
              ariaLabel={`Tag value ${index + 1}`}
              onChange={({ detail }) => update(index, { value: detail.value })}
            />
          ),
        },
      ]}
    />
  );
}
