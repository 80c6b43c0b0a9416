/**
 * A small layered layout for a program's state machine, drawn top to bottom:
 * - each state's row is its BFS depth from the initial state, so every forward step goes at most
 *   one row down, and a step back (return, resume) goes up;
 * - a final state that many states reach (cancel, withdraw) sits in a column to the right, fed by
 *   one collecting line, instead of arrows criss-crossing the diagram;
 * - within a row the order with the shortest, least-crossing edges wins (rows are tiny, so every
 *   order is tried);
 * - labels go where they touch no node and no other label.
 * Pure: the SVG component only draws what this returns.
 */

export interface DiagramState {
  key: string;
  label: string;
  terminal: boolean;
}

export interface DiagramEdge {
  /** Unique: `action:from`. */
  id: string;
  from: string;
  to: string;
  label: string;
  /** Taken by a timer only. */
  auto: boolean;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedNode extends DiagramState, Box {}

export interface PlacedLabel {
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  text: string;
}

export interface PlacedEdge {
  id: string;
  /** States whose step this line draws (a collecting line serves several). */
  sources: string[];
  auto: boolean;
  path: string;
  arrow: boolean;
  label?: PlacedLabel;
  /** Where a state's stub meets a collecting line. */
  junction?: { x: number; y: number };
}

export interface DiagramLayout {
  viewBox: Box;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const NODE_FONT = 14;
export const LABEL_FONT = 12;
const NODE_HEIGHT = 44;
const ROW_GAP = 64;
const COLUMN_GAP = 44;
const SIDE_GAP = 64;
const MARGIN = 16;
const PORT_SPACING = 18;
/** A final state fed by this many states or more goes to the side column. */
const COLLECTOR_MIN_SOURCES = 3;
const MAX_PERMUTED_ROW = 6;

/** Width of text without a DOM: CJK characters are one em, others at most about 0.65 em. */
export function textWidth(text: string, fontSize: number): number {
  let width = 0;
  for (const char of text) width += (char.codePointAt(0) ?? 0) >= 0x2e80 ? fontSize : fontSize * 0.65;
  return width;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

function depths(states: DiagramState[], edges: DiagramEdge[], initial: string): Map<string, number> {
  const depth = new Map<string, number>([[initial, 0]]);
  const queue = [initial];
  while (queue.length) {
    const key = queue.shift() as string;
    for (const edge of edges) {
      if (edge.from === key && !depth.has(edge.to)) {
        depth.set(edge.to, (depth.get(key) as number) + 1);
        queue.push(edge.to);
      }
    }
  }
  // States no step reaches (none today) go below the rest rather than vanish.
  const below = Math.max(...depth.values()) + 1;
  for (const state of states) if (!depth.has(state.key)) depth.set(state.key, below);
  return depth;
}

type Point = { x: number; y: number };

function cubic(p0: Point, p1: Point, p2: Point, p3: Point, t: number): Point {
  const u = 1 - t;
  const a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
  return { x: a * p0.x + b * p1.x + c * p2.x + d * p3.x, y: a * p0.y + b * p1.y + c * p2.y + d * p3.y };
}

export function layoutStates(states: DiagramState[], edges: DiagramEdge[], initial: string): DiagramLayout {
  const stateKeys = new Set(states.map((state) => state.key));
  const steps = edges.filter((edge) => stateKeys.has(edge.from) && stateKeys.has(edge.to) && edge.from !== edge.to);
  const depth = depths(states, steps, initial);

  const sourcesOf = (key: string) => [...new Set(steps.filter((edge) => edge.to === key).map((edge) => edge.from))];
  const collectors = states.filter((state) => state.terminal && sourcesOf(state.key).length >= COLLECTOR_MIN_SOURCES);
  const collectorKeys = new Set(collectors.map((state) => state.key));
  const collectorSources = new Set(collectors.flatMap((state) => sourcesOf(state.key)));

  // Rows, each ordered against the rows above it.
  const rowCount = Math.max(...states.filter((state) => !collectorKeys.has(state.key)).map((state) => depth.get(state.key) as number)) + 1;
  const rows: DiagramState[][] = Array.from({ length: rowCount }, () => []);
  for (const state of states) if (!collectorKeys.has(state.key)) rows[depth.get(state.key) as number].push(state);

  const offset = new Map<string, number>(); // column offset from the row's centre
  for (const row of rows) {
    const candidates = row.length <= MAX_PERMUTED_ROW ? permutations(row) : [row];
    let best = row;
    let bestCost = Infinity;
    for (const order of candidates) {
      const position = new Map(order.map((state, index) => [state.key, index - (order.length - 1) / 2]));
      let cost = 0;
      for (const edge of steps) {
        const from = position.get(edge.from);
        const to = position.get(edge.to);
        const above = offset.get(from === undefined ? edge.from : edge.to);
        // Within the row: neighbours are best. To a row above: straight down is best.
        if (from !== undefined && to !== undefined) cost += 2 * (Math.abs(from - to) - 1);
        else if ((from ?? to) !== undefined && above !== undefined) cost += Math.abs((from ?? to) as number - above);
      }
      order.forEach((state, index) => {
        // A state feeding the side column wants a free way to the right; final states drift outwards.
        if (collectorSources.has(state.key)) cost += 3 * (order.length - 1 - index);
        if (state.terminal) cost -= 0.25 * Math.abs(position.get(state.key) as number);
      });
      if (cost < bestCost) {
        bestCost = cost;
        best = order;
      }
    }
    best.forEach((state, index) => offset.set(state.key, index - (best.length - 1) / 2));
    row.splice(0, row.length, ...best);
  }

  // Sizes and places.
  const nodeWidth = Math.max(112, Math.ceil(Math.max(...states.map((state) => textWidth(state.label, NODE_FONT))) + 32));
  const columnPitch = nodeWidth + COLUMN_GAP;
  const rowPitch = NODE_HEIGHT + ROW_GAP;
  const widest = Math.max(...rows.map((row) => row.length));
  const contentWidth = widest * columnPitch - COLUMN_GAP;

  const nodes = new Map<string, PlacedNode>();
  const rowOf = new Map<string, number>();
  rows.forEach((row, rowIndex) => {
    const left = (contentWidth - (row.length * columnPitch - COLUMN_GAP)) / 2;
    row.forEach((state, index) => {
      nodes.set(state.key, { ...state, x: left + index * columnPitch, y: rowIndex * rowPitch, width: nodeWidth, height: NODE_HEIGHT });
      rowOf.set(state.key, rowIndex);
    });
  });
  collectors.forEach((state, index) => {
    const lastSourceRow = Math.max(...sourcesOf(state.key).map((key) => rowOf.get(key) ?? 0));
    const row = lastSourceRow + 1;
    nodes.set(state.key, { ...state, x: contentWidth + SIDE_GAP + index * columnPitch, y: row * rowPitch, width: nodeWidth, height: NODE_HEIGHT });
    rowOf.set(state.key, row);
  });

  const node = (key: string) => nodes.get(key) as PlacedNode;
  const centreX = (box: Box) => box.x + box.width / 2;
  const centreY = (box: Box) => box.y + box.height / 2;

  // Labels are placed one by one, each where it hits no node and no earlier label.
  // Each node, and the corner above it where the current state's "now" tag goes.
  const obstacles: Box[] = [...nodes.values()].flatMap((box) => [
    { x: box.x - 3, y: box.y - 3, width: box.width + 6, height: box.height + 6 },
    { x: box.x - 4, y: box.y - 14, width: 56, height: 14 },
  ]);
  const labelBoxes: Box[] = [];
  const overlap = (a: Box, b: Box) =>
    overlaps(a, b) ? (Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * (Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)) : 0;
  /** The first candidate (preferred side first) that touches nothing, else the one touching least. */
  function placeLabel(text: string, points: Point[], preferred: PlacedLabel['anchor']): PlacedLabel {
    const width = textWidth(text, LABEL_FONT) + 4;
    const sides: PlacedLabel['anchor'][] = preferred === 'middle' ? ['middle'] : [preferred, preferred === 'start' ? 'end' : 'start'];
    const candidates = sides.flatMap((side) =>
      points.map((point) => {
        const x = side === 'start' ? point.x + 6 : side === 'end' ? point.x - 6 : point.x;
        const left = side === 'start' ? x : side === 'end' ? x - width : x - width / 2;
        const box = { x: left, y: point.y - 9, width, height: 18 };
        return { label: { x, y: point.y, anchor: side, text }, box, cost: [...obstacles, ...labelBoxes].reduce((sum, other) => sum + overlap(box, other), 0) };
      }),
    );
    const best = candidates.find((candidate) => candidate.cost === 0) ?? candidates.reduce((a, b) => (b.cost < a.cost ? b : a));
    labelBoxes.push(best.box);
    return best.label;
  }
  const along = (p0: Point, p1: Point, p2: Point, p3: Point) => [0.5, 0.35, 0.65, 0.2, 0.8].map((t) => cubic(p0, p1, p2, p3, t));

  // Ports: where the edges between neighbouring rows meet a node's top and bottom, spread out and
  // ordered by where the other end lies, so lines do not cross at the node.
  type Port = { edge: DiagramEdge; other: string; forward: boolean };
  const ports = new Map<string, Port[]>();
  const addPort = (key: string, port: Port) => ports.set(key, [...(ports.get(key) ?? []), port]);
  const regular = steps.filter((edge) => !collectorKeys.has(edge.to));
  for (const edge of regular) {
    const span = (rowOf.get(edge.to) as number) - (rowOf.get(edge.from) as number);
    if (span === 1) {
      addPort(`${edge.from}:bottom`, { edge, other: edge.to, forward: true });
      addPort(`${edge.to}:top`, { edge, other: edge.from, forward: true });
    } else if (span === -1) {
      addPort(`${edge.from}:top`, { edge, other: edge.to, forward: false });
      addPort(`${edge.to}:bottom`, { edge, other: edge.from, forward: false });
    }
  }
  function portX(key: string, side: 'top' | 'bottom', edge: DiagramEdge): number {
    const list = (ports.get(`${key}:${side}`) ?? []).sort(
      (a, b) => centreX(node(a.other)) - centreX(node(b.other)) || Number(b.forward) - Number(a.forward),
    );
    const index = list.findIndex((port) => port.edge === edge);
    const spacing = Math.min(PORT_SPACING, (nodeWidth - 24) / Math.max(1, list.length - 1));
    return centreX(node(key)) + (index - (list.length - 1) / 2) * spacing;
  }

  const placed: PlacedEdge[] = [];
  let leftDetour = 0;
  const leftmost = Math.min(...[...nodes.values()].map((box) => box.x));

  for (const edge of regular) {
    const from = node(edge.from);
    const to = node(edge.to);
    const span = (rowOf.get(edge.to) as number) - (rowOf.get(edge.from) as number);
    const base = { id: edge.id, sources: [edge.from], auto: edge.auto, arrow: true };
    if (Math.abs(span) === 1) {
      const down = span === 1;
      const p0 = { x: portX(edge.from, down ? 'bottom' : 'top', edge), y: down ? from.y + from.height : from.y };
      const p3 = { x: portX(edge.to, down ? 'top' : 'bottom', edge), y: down ? to.y : to.y + to.height };
      const bend = down ? ROW_GAP / 2 : -ROW_GAP / 2;
      const p1 = { x: p0.x, y: p0.y + bend };
      const p2 = { x: p3.x, y: p3.y - bend };
      // A label sits on the side its line leaves the node towards.
      const leftish = p3.x < p0.x - 4 || (Math.abs(p3.x - p0.x) <= 4 && p0.x < centreX(from) - 1);
      placed.push({
        ...base,
        path: `M${p0.x},${p0.y} C${p1.x},${p1.y} ${p2.x},${p2.y} ${p3.x},${p3.y}`,
        label: placeLabel(edge.label, along(p0, p1, p2, p3), leftish ? 'end' : 'start'),
      });
    } else if (span === 0) {
      const rightwards = to.x > from.x;
      const adjacent = Math.abs(to.x - from.x) <= columnPitch + 1;
      // Both directions between one pair: the two lines run a little apart.
      const twin = regular.some((other) => other.from === edge.to && other.to === edge.from) ? (rightwards ? -6 : 6) : 0;
      const y = centreY(from) + twin;
      if (adjacent) {
        const x0 = rightwards ? from.x + from.width : from.x;
        const x1 = rightwards ? to.x : to.x + to.width;
        const middle = (x0 + x1) / 2;
        placed.push({
          ...base,
          path: `M${x0},${y} L${x1},${y}`,
          label: placeLabel(edge.label, [{ x: middle, y: from.y - 12 }, { x: middle, y: from.y + from.height + 12 }, { x: middle, y: from.y - 30 }], 'middle'),
        });
      } else {
        const p0 = { x: centreX(from), y: from.y };
        const p3 = { x: centreX(to), y: to.y };
        const p1 = { x: p0.x, y: p0.y - ROW_GAP * 0.6 };
        const p2 = { x: p3.x, y: p3.y - ROW_GAP * 0.6 };
        placed.push({ ...base, path: `M${p0.x},${p0.y} C${p1.x},${p1.y} ${p2.x},${p2.y} ${p3.x},${p3.y}`, label: placeLabel(edge.label, along(p0, p1, p2, p3), 'middle') });
      }
    } else {
      // A step back over several rows: a loop around the left side.
      leftDetour += 1;
      const reach = leftmost - 20 - leftDetour * 14;
      const p0 = { x: from.x, y: centreY(from) + 6 };
      const p3 = { x: to.x, y: centreY(to) + 6 };
      const control = p0.x - (p0.x - reach) / 0.75;
      const p1 = { x: Math.min(p0.x, control), y: p0.y };
      const p2 = { x: Math.min(p3.x, control), y: p3.y };
      placed.push({ ...base, path: `M${p0.x},${p0.y} C${p1.x},${p1.y} ${p2.x},${p2.y} ${p3.x},${p3.y}`, label: placeLabel(edge.label, along(p0, p1, p2, p3), 'end') });
    }
  }

  // Side columns: each source's stub runs right into one collecting line that ends at the state.
  for (const collector of collectors) {
    const target = node(collector.key);
    const lineX = centreX(target);
    const feeding = steps.filter((edge) => edge.to === collector.key);
    const sources = [...new Set(feeding.map((edge) => edge.from))];
    let top = target.y;
    for (const key of sources) {
      const from = node(key);
      const rowMates = rows[rowOf.get(key) as number];
      const clear = rowMates[rowMates.length - 1].key === key;
      // The rightmost state of its row leaves from its side; another dips under its row first.
      const y = clear ? centreY(from) : from.y + from.height + 12;
      const start = clear ? `M${from.x + from.width},${y}` : `M${from.x + from.width - 12},${from.y + from.height} L${from.x + from.width - 12},${y}`;
      top = Math.min(top, y);
      const auto = feeding.filter((edge) => edge.from === key).every((edge) => edge.auto);
      placed.push({ id: `${collector.key}:${key}`, sources: [key], auto, arrow: false, path: `${start} L${lineX},${y}`, junction: { x: lineX, y } });
    }
    const label = [...new Set(feeding.map((edge) => edge.label))].join(' / ');
    placed.push({
      id: `${collector.key}:collect`,
      sources,
      auto: feeding.every((edge) => edge.auto),
      arrow: true,
      path: `M${lineX},${top} L${lineX},${target.y}`,
      label: placeLabel(label, [0.85, 0.5, 0.15].map((t) => ({ x: lineX, y: top + (target.y - top) * t })), 'start'),
    });
  }

  // The picture's extent: nodes (with the "now" tag above), labels and the left loops.
  const boxes: Box[] = [...[...nodes.values()].map((box) => ({ ...box, y: box.y - 14, height: box.height + 14 })), ...labelBoxes];
  if (leftDetour) boxes.push({ x: leftmost - 20 - leftDetour * 14, y: 0, width: 1, height: 1 });
  const minX = Math.min(...boxes.map((box) => box.x)) - MARGIN;
  const minY = Math.min(...boxes.map((box) => box.y)) - MARGIN;
  const maxX = Math.max(...boxes.map((box) => box.x + box.width)) + MARGIN;
  const maxY = Math.max(...boxes.map((box) => box.y + box.height)) + MARGIN;

  return {
    viewBox: { x: minX, y: minY, width: maxX - minX, height: maxY - minY },
    nodes: [...nodes.values()],
    edges: placed,
  };
}
