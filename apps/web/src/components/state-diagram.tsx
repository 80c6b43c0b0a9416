import { useEffect, useId, useMemo, useRef } from 'preact/hooks';
import { useI18n } from '../locale';
import { isAutomatic } from '../programs';
import type { Program } from '../types';
import { LABEL_FONT, NODE_FONT, layoutStates, textWidth, type DiagramEdge } from './state-layout';

/**
 * The program's states and steps as an SVG, the case's state highlighted. It keeps its natural
 * size and scrolls sideways on narrow screens rather than shrinking to illegible; the same
 * content follows as text for screen readers and for anyone who prefers reading.
 */
export function StateDiagram({ program, current }: { program: Program; current: string }) {
  const { t, pick, locale } = useI18n();
  const id = useId();

  const layout = useMemo(() => {
    const states = program.states.map((state) => ({ key: state.key, label: pick(state.title), terminal: state.terminal }));
    const edges: DiagramEdge[] = program.actions.flatMap((action) => {
      const auto = isAutomatic(action);
      const label = pick(action.title) + (auto ? t('diagram.auto') : '');
      return action.from.map((from) => ({ id: `${action.key}:${from}`, from, to: action.to, label, auto }));
    });
    const initial = program.states.some((state) => state.key === 'draft') ? 'draft' : program.states[0].key;
    return layoutStates(states, edges, initial);
    // pick and t change with the locale only.
  }, [program, locale]);

  const stateTitle = (key: string) => {
    const state = program.states.find((candidate) => candidate.key === key);
    return state ? pick(state.title) : key;
  };
  const { viewBox: box } = layout;

  // On a phone the diagram is wider than the screen: start scrolled to the current state.
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = scroller.current;
    const node = layout.nodes.find((candidate) => candidate.key === current);
    if (!element || !node || element.scrollWidth <= element.clientWidth) return;
    element.scrollLeft = node.x - box.x + node.width / 2 - element.clientWidth / 2;
  }, [layout, current]);
  const nowWidth = textWidth(t('diagram.current'), LABEL_FONT) + 16;
  const arrow = `${id}-arrow`;
  const arrowNext = `${id}-arrow-next`;

  return (
    <figure class="diagram">
      <div class="diagram-scroll" ref={scroller} tabIndex={0} role="group" aria-label={t('diagram.scrollHint')}>
        <svg
          role="img"
          aria-labelledby={`${id}-title`}
          width={box.width}
          height={box.height}
          viewBox={`${box.x} ${box.y} ${box.width} ${box.height}`}
        >
          <title id={`${id}-title`}>
            {t('diagram.summary', { program: pick(program.title), count: program.states.length, state: stateTitle(current) })}
          </title>
          <defs>
            {[arrow, arrowNext].map((markerId) => (
              <marker
                key={markerId}
                id={markerId}
                class={markerId === arrowNext ? 'arrow arrow-next' : 'arrow'}
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="9"
                markerHeight="9"
                markerUnits="userSpaceOnUse"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" />
              </marker>
            ))}
          </defs>
          {layout.edges.map((edge) => {
            const next = edge.sources.includes(current);
            return (
              <g key={edge.id} class={`edge${next ? ' edge-next' : ''}${edge.auto ? ' edge-auto' : ''}`}>
                <path d={edge.path} marker-end={edge.arrow ? `url(#${next ? arrowNext : arrow})` : undefined} />
                {edge.junction && <circle cx={edge.junction.x} cy={edge.junction.y} r="3" />}
              </g>
            );
          })}
          {layout.nodes.map((node) => {
            const isCurrent = node.key === current;
            return (
              <g key={node.key} class={`node${isCurrent ? ' node-current' : ''}${node.terminal ? ' node-terminal' : ''}`}>
                <rect x={node.x} y={node.y} width={node.width} height={node.height} rx="8" />
                {node.terminal && <rect class="inner" x={node.x + 4} y={node.y + 4} width={node.width - 8} height={node.height - 8} rx="5" />}
                <text x={node.x + node.width / 2} y={node.y + node.height / 2} text-anchor="middle" dominant-baseline="central" font-size={NODE_FONT}>
                  {node.label}
                </text>
                {isCurrent && (
                  <g class="now-tag">
                    <rect x={node.x - 4} y={node.y - 12} width={nowWidth} height="20" rx="4" />
                    <text x={node.x - 4 + nowWidth / 2} y={node.y - 2} text-anchor="middle" dominant-baseline="central" font-size={LABEL_FONT}>
                      {t('diagram.current')}
                    </text>
                  </g>
                )}
              </g>
            );
          })}
          {layout.edges.map(
            (edge) =>
              edge.label && (
                <text
                  key={`${edge.id}-label`}
                  class={`edge-label${edge.sources.includes(current) ? ' edge-label-next' : ''}`}
                  x={edge.label.x}
                  y={edge.label.y}
                  text-anchor={edge.label.anchor}
                  dominant-baseline="central"
                  font-size={LABEL_FONT}
                >
                  {edge.label.text}
                </text>
              ),
          )}
        </svg>
      </div>
      <figcaption>
        <ul class="legend" aria-label={t('diagram.legend')}>
          <li>
            <span class="swatch swatch-current" aria-hidden="true" />
            {t('diagram.legendCurrent')}
          </li>
          <li>
            <span class="swatch swatch-terminal" aria-hidden="true" />
            {t('diagram.legendTerminal')}
          </li>
          <li>
            <span class="swatch swatch-next" aria-hidden="true" />
            {t('diagram.legendNext')}
          </li>
          <li>
            <span class="swatch swatch-auto" aria-hidden="true" />
            {t('diagram.legendAuto')}
          </li>
        </ul>
        <details class="diagram-text">
          <summary>{t('diagram.textTitle')}</summary>
          <ul>
            {program.states.map((state) => {
              const steps = program.actions.filter((action) => action.from.includes(state.key));
              return (
                <li key={state.key}>
                  <strong>{pick(state.title)}</strong>
                  {state.key === current && t('diagram.textCurrent')}
                  {state.terminal && t('diagram.textTerminal')}
                  {t('list.colon')}
                  {steps.length
                    ? steps
                        .map((action) => t('diagram.textStep', { action: pick(action.title), to: stateTitle(action.to) }) + (isAutomatic(action) ? t('diagram.auto') : ''))
                        .join(t('list.separator'))
                    : t('diagram.textNone')}
                </li>
              );
            })}
          </ul>
        </details>
      </figcaption>
    </figure>
  );
}
