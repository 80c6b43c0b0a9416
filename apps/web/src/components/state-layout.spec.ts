import { PROGRAMS } from '@koryu/workflow';
import { type Box, type DiagramEdge, type DiagramState, LABEL_FONT, layoutStates, textWidth } from './state-layout';

/** The state diagram's layout for each real program, in both languages (labels differ in width). */
const cases = PROGRAMS.flatMap((program) =>
  (['ja', 'en'] as const).map((language) => {
    const states: DiagramState[] = program.states.map((state) => ({ key: state.key, label: state.title[language], terminal: Boolean(state.terminal) }));
    const edges: DiagramEdge[] = program.actions.flatMap((action) =>
      action.from.map((from) => ({ id: `${action.key}:${from}`, from, to: action.to, label: action.title[language], auto: action.roles.every((role) => role === 'system') })),
    );
    return { name: `${program.key} (${language})`, states, edges, initial: program.initialState };
  }),
);

const inside = (inner: Box, outer: Box) => inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layoutStates', () => {
  it.each(cases)('places every state of $name once, inside the picture, with no two boxes overlapping', ({ states, edges, initial }) => {
    const { nodes, viewBox } = layoutStates(states, edges, initial);
    expect(nodes.map((node) => node.key).sort()).toEqual(states.map((state) => state.key).sort());
    for (const node of nodes) expect([node.key, inside(node, viewBox)]).toEqual([node.key, true]);
    for (const [i, a] of nodes.entries()) for (const b of nodes.slice(i + 1)) expect([a.key, b.key, overlap(a, b)]).toEqual([a.key, b.key, false]);
  });

  it.each(cases)('draws every step of $name between two states (a stub into a collecting line counts), and puts the initial state on top', ({ states, edges, initial }) => {
    const { nodes, edges: placed } = layoutStates(states, edges, initial);
    const byId = new Map(edges.map((edge) => [edge.id, edge]));
    // A step into a collected final state is drawn as a stub with the id `<final state>:<source>`.
    const drawn = new Set(placed.map((edge) => byId.get(edge.id) ?? { to: edge.id.split(':')[0], from: edge.id.split(':')[1] }).map((edge) => `${edge.from}→${edge.to}`));
    const steps = edges.filter((edge) => edge.from !== edge.to).map((edge) => `${edge.from}→${edge.to}`);
    expect(steps.filter((step) => !drawn.has(step))).toEqual([]);
    const top = Math.min(...nodes.map((node) => node.y));
    expect(nodes.find((node) => node.key === initial)?.y).toBe(top);
  });

  it.each(cases)('keeps the labels of $name off the state boxes', ({ states, edges, initial }) => {
    const { nodes, edges: placed } = layoutStates(states, edges, initial);
    for (const edge of placed) {
      if (!edge.label) continue;
      const { x, y, anchor, text } = edge.label;
      const width = textWidth(text, LABEL_FONT);
      const left = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2;
      const box = { x: left, y: y - LABEL_FONT + 2, width, height: LABEL_FONT };
      for (const node of nodes) expect([edge.id, node.key, overlap(box, node)]).toEqual([edge.id, node.key, false]);
    }
  });
});
