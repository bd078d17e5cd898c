// The options both compression tools share: size with aspect lock and fit, format, how to pick
// the quality (a fixed quality, a target SSIM, or a byte budget), and the edits before resizing.
import { For, Match, Show, Switch } from 'solid-js';
import type { SetStoreFunction } from 'solid-js/store';
import { MAX_OUTPUT_SIDE } from '../../../graphql/shared/compress-limits.ts';
import {
  FIT_MODES,
  FOCUS_MODES,
  FORMAT_CHOICES,
  lockedSide,
  MODES,
  parsePositiveInt,
  type CompressFormState,
} from '../lib/compress-options.ts';
import EditOptions from './EditOptions.tsx';

export interface CompressOptionsFormProps {
  state: CompressFormState;
  setState: SetStoreFunction<CompressFormState>;
  original: { width: number; height: number };
  /** Prefix for element ids, so two forms could share a page. */
  idPrefix: string;
  invalidField?: string | null;
  disabled?: boolean;
  /** Whether the page shows a crop box over the original (see EditOptions). */
  canCrop?: boolean;
}

export default function CompressOptionsForm(props: CompressOptionsFormProps) {
  const id = (name: string) => `${props.idPrefix}-${name}`;

  const setWidth = (text: string) => {
    props.setState('width', text);
    const width = parsePositiveInt(text);
    if (props.state.lockAspect && width) props.setState('height', String(lockedSide(width, props.original.width, props.original.height)));
  };
  const setHeight = (text: string) => {
    props.setState('height', text);
    const height = parsePositiveInt(text);
    if (props.state.lockAspect && height) props.setState('width', String(lockedSide(height, props.original.height, props.original.width)));
  };
  const toggleLock = () => {
    const locking = !props.state.lockAspect;
    props.setState('lockAspect', locking);
    const width = parsePositiveInt(props.state.width);
    if (locking && width) props.setState('height', String(lockedSide(width, props.original.width, props.original.height)));
  };

  return (
    <div class="options">
      <fieldset disabled={props.disabled}>
        <legend>
          Size{' '}
          <span class="muted small">
            (original {props.original.width} × {props.original.height})
          </span>
        </legend>
        <div class="dims">
          <div class="field">
            <label for={id('width')}>Width</label>
            <input
              id={id('width')}
              type="number"
              inputmode="numeric"
              min="1"
              max={MAX_OUTPUT_SIDE}
              value={props.state.width}
              aria-invalid={props.invalidField === 'width' ? 'true' : undefined}
              onInput={(e) => setWidth(e.currentTarget.value)}
            />
          </div>
          <button
            type="button"
            class="lock"
            aria-pressed={props.state.lockAspect ? 'true' : 'false'}
            onClick={toggleLock}
            title={props.state.lockAspect ? 'Aspect ratio locked' : 'Aspect ratio unlocked'}
            aria-label="Keep aspect ratio"
          >
            <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
              {props.state.lockAspect ? (
                <>
                  <rect x="5" y="11" width="14" height="10" rx="2" />
                  <path d="M8 11V7a4 4 0 0 1 8 0v4" />
                </>
              ) : (
                <>
                  <rect x="5" y="11" width="14" height="10" rx="2" />
                  <path d="M8 11V7a4 4 0 0 1 7.5-2" />
                </>
              )}
            </svg>
          </button>
          <div class="field">
            <label for={id('height')}>Height</label>
            <input
              id={id('height')}
              type="number"
              inputmode="numeric"
              min="1"
              max={MAX_OUTPUT_SIDE}
              value={props.state.height}
              aria-invalid={props.invalidField === 'height' ? 'true' : undefined}
              onInput={(e) => setHeight(e.currentTarget.value)}
            />
          </div>
        </div>
        <div class="field" style={{ 'margin-top': '8px' }}>
          <label for={id('fit')}>Fit</label>
          <select
            id={id('fit')}
            aria-invalid={props.invalidField === 'fit' ? 'true' : undefined}
            onChange={(e) => props.setState('fit', e.currentTarget.value as CompressFormState['fit'])}
          >
            <For each={FIT_MODES}>
              {(fit) => (
                <option value={fit.value} selected={props.state.fit === fit.value}>
                  {fit.label}
                </option>
              )}
            </For>
          </select>
        </div>
        <Show when={props.state.fit === 'COVER'}>
          <div class="field" style={{ 'margin-top': '8px' }}>
            <label for={id('focus')}>Keep in view</label>
            <select
              id={id('focus')}
              onChange={(e) => props.setState('edits', 'focus', e.currentTarget.value as CompressFormState['edits']['focus'])}
            >
              <For each={FOCUS_MODES}>
                {(focus) => (
                  <option value={focus.value} selected={props.state.edits.focus === focus.value}>
                    {focus.label}
                  </option>
                )}
              </For>
            </select>
          </div>
        </Show>
        <Show when={props.state.fit === 'CONTAIN' || props.state.format === 'JPEG' || props.state.format === 'AUTO'}>
          <div class="field" style={{ 'margin-top': '8px' }}>
            <label for={id('background')}>
              Background <span class="hint">{props.state.fit === 'CONTAIN' ? 'pads the box' : 'behind transparent pixels'}</span>
            </label>
            <input
              id={id('background')}
              type="color"
              value={props.state.edits.background}
              onInput={(e) => props.setState('edits', 'background', e.currentTarget.value)}
            />
          </div>
        </Show>
      </fieldset>

      <div class="field">
        <label for={id('format')}>Format</label>
        <select
          id={id('format')}
          disabled={props.disabled}
          onChange={(e) => {
            const format = e.currentTarget.value as CompressFormState['format'];
            props.setState('format', format);
            // AUTO searches the quality itself: it takes a target SSIM or a size budget.
            if (format === 'AUTO' && props.state.mode === 'quality') props.setState('mode', 'ssim');
          }}
        >
          <For each={FORMAT_CHOICES}>
            {(format) => (
              <option value={format.value} selected={props.state.format === format.value}>
                {format.label}
              </option>
            )}
          </For>
        </select>
      </div>

      <fieldset disabled={props.disabled}>
        <legend>Mode</legend>
        <div class="segmented">
          <For each={MODES}>
            {(mode) => (
              <label>
                <input
                  type="radio"
                  name={id('mode')}
                  value={mode.value}
                  checked={props.state.mode === mode.value}
                  disabled={mode.value === 'quality' && props.state.format === 'AUTO'}
                  onChange={() => props.setState('mode', mode.value)}
                />
                {mode.label}
              </label>
            )}
          </For>
        </div>
      </fieldset>

      <Show when={props.state.format === 'AUTO'}>
        <p class="muted small" style={{ margin: 0 }}>
          Auto tries JPEG, WebP and AVIF and keeps the smallest that meets the target.
        </p>
      </Show>
      <Switch>
        <Match when={props.state.mode === 'quality'}>
          <div class="field">
            <label for={id('quality')}>
              Quality <span class="hint">{props.state.quality}</span>
            </label>
            <input
              id={id('quality')}
              type="range"
              min="1"
              max="100"
              step="1"
              value={props.state.quality}
              disabled={props.disabled}
              onInput={(e) => props.setState('quality', Number(e.currentTarget.value))}
            />
          </div>
        </Match>
        <Match when={props.state.mode === 'ssim'}>
          <div class="field">
            <label for={id('ssim')}>
              Target SSIM <span class="hint">{props.state.targetSsim.toFixed(3)} — 1 is identical</span>
            </label>
            <input
              id={id('ssim')}
              type="range"
              min="0.9"
              max="0.999"
              step="0.001"
              value={props.state.targetSsim}
              disabled={props.disabled}
              onInput={(e) => props.setState('targetSsim', Number(e.currentTarget.value))}
            />
          </div>
        </Match>
        <Match when={props.state.mode === 'size'}>
          <div class="field">
            <label for={id('max-size')}>Max size (KB)</label>
            <input
              id={id('max-size')}
              type="number"
              min="1"
              step="1"
              value={props.state.maxKilobytes}
              disabled={props.disabled}
              aria-invalid={props.invalidField === 'maxBytes' ? 'true' : undefined}
              onInput={(e) => props.setState('maxKilobytes', e.currentTarget.value)}
            />
          </div>
        </Match>
      </Switch>

      <EditOptions
        state={props.state}
        setState={props.setState}
        original={props.original}
        idPrefix={props.idPrefix}
        canCrop={props.canCrop}
        disabled={props.disabled}
      />
    </div>
  );
}
