import type { LabState } from '../../src/protocol/lab-protocol';
import type { LabStringKey } from '../../src/protocol/lab-strings';
import type { ModelGraph } from '../../src/protocol/trainer-protocol';
import { checkbox, dropdown, textField } from '../shared/components';
import { el, replaceChildren } from '../shared/dom';
import { modelGraphView } from '../shared/model-graph';
import { t } from '../shared/strings';
import { Cell } from './cell';
import {
  configForPreset,
  configToSend,
  fieldsForPreset,
  fieldText,
  parseField,
  readField,
  writeField,
  type ConfigField,
} from './config-fields';

export interface ModelCellOptions {
  index: number;
  /** Runs the cell: builds the model for this config and returns its graph. */
  describe(config: Record<string, unknown>): Promise<ModelGraph>;
  /** Called after a successful run with the config and the graph built, so dependent cells can react. */
  onRan(config: Record<string, unknown>, graph: ModelGraph): void;
  /** Called on any edit of the preset or a hyperparameter. */
  onEdited(): void;
}

/**
 * The model cell: the preset (every preset of the zoo) and the hyperparameters that matter for it;
 * Run builds the model (`describe`) and draws the graph of what was actually built.
 */
export class ModelCell {
  readonly cell: Cell;
  private draft: Record<string, unknown> = {};
  private invalid = new Map<string, string>();
  private presets: string[] = [];
  private presetShapes: Record<string, string> = {};
  private sourceConfig: string | undefined;
  private shownGraph: ModelGraph | undefined;
  private shownGraphError: string | undefined;
  private readonly form = el('div', { className: 'ae-form' });
  private readonly graphHost = el('div', { className: 'ae-graph-host' });

  constructor(private readonly options: ModelCellOptions) {
    this.cell = new Cell({ index: options.index, title: t('model.title'), onRun: () => void this.run() });
    this.cell.inputs.append(this.form);
    this.cell.output.append(this.graphHost);
    replaceChildren(this.graphHost, el('p', { className: 'ae-muted', text: t('model.noGraph') }));
  }

  /** The config as edited, ready to send; undefined (with the problems shown) when a field is invalid. */
  config(): Record<string, unknown> | undefined {
    if (this.invalid.size > 0) {
      this.cell.setError([...this.invalid.values()].join(' '));
      return undefined;
    }
    return configToSend(this.draft);
  }

  update(state: LabState): void {
    const configText = JSON.stringify(state.config);
    const shapes = state.presetShapes ?? {};
    if (configText !== this.sourceConfig || state.presets.join() !== this.presets.join() || JSON.stringify(shapes) !== JSON.stringify(this.presetShapes)) {
      // The host's config is the source of truth (defaults applied, or the config a run started with).
      // Compared by content: every state message carries a new copy, and an unchanged one must not
      // rebuild the form under the user's cursor.
      this.sourceConfig = configText;
      this.presets = state.presets;
      this.presetShapes = shapes;
      this.draft = { ...state.config };
      this.invalid.clear();
      this.buildForm();
    }
    if (state.graph !== this.shownGraph) {
      this.shownGraph = state.graph;
      if (state.graph) {
        replaceChildren(this.graphHost, modelGraphView(state.graph));
        if (this.cell.currentStatus === 'idle') this.cell.setStatus('done');
      }
    }
    if (state.graphError !== this.shownGraphError) {
      // The host could not build the model for its config (e.g. a preset that does not fit the data).
      this.shownGraphError = state.graphError;
      if (state.graphError) {
        this.cell.setError(state.graphError);
        this.cell.setStatus('failed');
      }
    }
  }

  async run(): Promise<void> {
    const config = this.config();
    if (!config) return;
    this.cell.setError(undefined);
    this.cell.setStatus('running');
    try {
      const graph = await this.options.describe(config);
      this.shownGraph = graph;
      replaceChildren(this.graphHost, modelGraphView(graph));
      this.cell.setStatus('done');
      this.options.onRan(config, graph);
    } catch (error) {
      this.cell.setError(error instanceof Error ? error.message : String(error));
      this.cell.setStatus('failed');
    }
  }

  private preset(): string {
    return typeof this.draft.preset === 'string' ? this.draft.preset : (this.presets[0] ?? 'dense');
  }

  private edited(): void {
    if (this.cell.currentStatus !== 'idle') this.cell.setStatus('stale');
    this.options.onEdited();
  }

  private buildForm(): void {
    const presetField = dropdown({
      label: t('model.preset'),
      value: this.preset(),
      options: this.presets.map((name) => {
        const shape = this.presetShapes[name];
        return { value: name, label: shape ? t('model.preset.withShape', presetLabel(name), shape) : presetLabel(name) };
      }),
      onChange: (value) => {
        if (value === this.preset()) return;
        this.draft = configForPreset(this.draft, value);
        this.invalid.clear();
        this.buildForm();
        this.edited();
      },
    });
    presetField.element.classList.add('ae-field-wide');
    const fields = fieldsForPreset(this.preset()).map((field) => this.fieldControl(field));
    replaceChildren(this.form, presetField.element, ...fields);
  }

  private fieldControl(field: ConfigField): HTMLElement {
    const label = t(field.label);
    const current = readField(this.draft, field.key);
    if (field.kind === 'bool') {
      return checkbox({
        label,
        checked: current === true,
        onChange: (checked) => {
          this.draft = writeField(this.draft, field.key, checked);
          this.edited();
        },
      }).element;
    }
    if (field.kind === 'enum' && field.options) {
      const text = fieldText(field, current);
      const options = field.options.map((value) => ({ value, label: value }));
      // An unset enum shows "preset default" as its first choice.
      const choices = text === '' ? [{ value: '', label: t('model.default') }, ...options] : options;
      return dropdown({
        label,
        value: text,
        options: choices,
        onChange: (value) => {
          this.draft = writeField(this.draft, field.key, value === '' ? undefined : value);
          this.edited();
        },
      }).element;
    }
    return textField({
      label,
      value: fieldText(field, current),
      placeholder: t('model.default'),
      hint: field.hint ? t(field.hint) : undefined,
      onChange: (text) => {
        const parsed = parseField(field, text);
        if (parsed.ok) {
          this.invalid.delete(field.key);
          this.draft = writeField(this.draft, field.key, parsed.value);
        } else {
          this.invalid.set(field.key, t('model.invalidNumber', label, text));
        }
        this.cell.setError(this.invalid.size > 0 ? [...this.invalid.values()].join(' ') : undefined);
        this.edited();
      },
    }).element;
  }
}

function presetLabel(name: string): string {
  const key = `model.preset.${name}` as LabStringKey;
  const label = t(key);
  return label === undefined || label === key ? name : label;
}
