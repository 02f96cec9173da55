import type { LayerInfo, ModelGraph } from '../../src/protocol/trainer-protocol';
import type { LabStringKey } from '../../src/protocol/lab-strings';
import { el } from './dom';
import { formatInteger, formatShape } from './format';
import { t } from './strings';

const GROUPS: ReadonlyArray<{ group: LayerInfo['group']; title: LabStringKey }> = [
  { group: 'input', title: 'model.group.input' },
  { group: 'encoder', title: 'model.group.encoder' },
  { group: 'code', title: 'model.group.code' },
  { group: 'decoder', title: 'model.group.decoder' },
];

/**
 * The model actually built: its layers as boxes (class, output shape, parameter count), framed
 * in Input / Encoder / Code / Decoder groups, and the total. Plain DOM: each group is a list, so
 * a screen reader reads it as nested lists with names.
 */
export function modelGraphView(graph: ModelGraph): HTMLElement {
  const groups = el('ol', { className: 'ae-graph-groups', attrs: { 'aria-label': t('model.graph') } });
  for (const { group, title } of GROUPS) {
    const layers = graph.layers.filter((layer) => layer.group === group);
    if (layers.length === 0) continue;
    const params = layers.reduce((sum, layer) => sum + layer.params, 0);
    const list = el('ol', { className: 'ae-graph-layers', attrs: { 'aria-label': t(title) } });
    for (const layer of layers) list.append(layerBox(layer));
    groups.append(
      el('li', { className: `ae-graph-group ae-graph-group-${group}` }, [
        el('div', { className: 'ae-graph-group-title' }, [
          el('span', { text: t(title) }),
          el('span', { className: 'ae-graph-group-params', text: t('model.params', formatInteger(params)) }),
        ]),
        list,
      ]),
    );
  }
  return el('div', { className: 'ae-graph' }, [
    el('p', { className: 'ae-visually-hidden', text: t('model.graphSummary', graph.preset, graph.layers.length, formatInteger(graph.totalParams), formatShape(graph.codeShape)) }),
    groups,
    el('p', { className: 'ae-graph-total', text: t('model.totalParams', formatInteger(graph.totalParams)) }),
  ]);
}

function layerBox(layer: LayerInfo): HTMLElement {
  const shape = formatShape(layer.outputShape);
  return el(
    'li',
    {
      className: 'ae-graph-layer',
      attrs: { 'aria-label': t('model.layer', layer.name, layer.className, shape, formatInteger(layer.params)), title: layer.name },
    },
    [
      el('span', { className: 'ae-graph-layer-class', text: layer.className, attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'ae-graph-layer-shape', text: shape, attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'ae-graph-layer-params', text: t('model.params', formatInteger(layer.params)), attrs: { 'aria-hidden': 'true' } }),
    ],
  );
}
