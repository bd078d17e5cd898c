// The edits before resizing (CompressOptions.transform): crop on/off, rotate and mirror buttons,
// colour, sharpen and blur sliders. The crop rectangle itself is drawn over the original (CropBox).
import { For, Show } from 'solid-js';
import type { SetStoreFunction } from 'solid-js/store';
import { TRANSFORM_RANGES } from '../../../graphql/shared/transform-limits.ts';
import { initialCrop, initialEdits, type CompressFormState, type EditState } from '../lib/compress-options.ts';

export interface EditOptionsProps {
  state: CompressFormState;
  setState: SetStoreFunction<CompressFormState>;
  original: { width: number; height: number };
  idPrefix: string;
  /** Whether a crop box can be shown (it needs the original on screen). */
  canCrop?: boolean;
  disabled?: boolean;
}

const R = TRANSFORM_RANGES;
const SLIDERS: ReadonlyArray<{
  key: 'brightness' | 'saturation' | 'hue' | 'sharpen' | 'blur';
  label: string;
  min: number;
  max: number;
  step: number;
  off: number;
}> = [
  { key: 'brightness', label: 'Brightness', ...R.brightness, step: 0.05, off: 1 },
  { key: 'saturation', label: 'Saturation', ...R.saturation, step: 0.05, off: 1 },
  { key: 'hue', label: 'Hue', ...R.hue, step: 1, off: 0 },
  // 0 is off; past it the slider snaps up to the smallest value the API accepts.
  { key: 'sharpen', label: 'Sharpen', min: 0, max: R.sharpen.max, step: 0.1, off: 0 },
  { key: 'blur', label: 'Blur', min: 0, max: R.blur.max, step: 0.5, off: 0 },
];

export default function EditOptions(props: EditOptionsProps) {
  const id = (name: string) => `${props.idPrefix}-${name}`;
  const edits = () => props.state.edits;
  const set = <K extends keyof EditState>(key: K, value: EditState[K]) => props.setState('edits', key, value);

  // A quarter turn swaps the box too, so the picture keeps its size on screen.
  const turn = (by: 90 | 270) => {
    set('rotate', ((edits().rotate + by) % 360) as EditState['rotate']);
    const { width, height } = props.state;
    props.setState({ width: height, height: width });
  };
  const setSlider = (key: (typeof SLIDERS)[number]['key'], value: number) => {
    const snapped = (key === 'sharpen' || key === 'blur') && value > 0 && value < R[key].min ? R[key].min : value;
    set(key, snapped);
  };
  const changed = () =>
    JSON.stringify({ ...edits(), focus: 'CENTER', background: '#ffffff' }) !==
    JSON.stringify({ ...initialEdits(), focus: 'CENTER', background: '#ffffff' });

  return (
    <fieldset class="stack" disabled={props.disabled} style={{ gap: '10px' }}>
      <legend>
        Edit <span class="muted small">(applied before resizing)</span>
      </legend>
      <div class="edit-buttons">
        <Show when={props.canCrop}>
          <button
            type="button"
            class="small"
            aria-pressed={edits().crop ? 'true' : 'false'}
            onClick={() => set('crop', edits().crop ? null : initialCrop(props.original))}
          >
            Crop
          </button>
        </Show>
        <button type="button" class="small" onClick={() => turn(270)}>
          Rotate left
        </button>
        <button type="button" class="small" onClick={() => turn(90)}>
          Rotate right
        </button>
        <button type="button" class="small" aria-pressed={edits().flip ? 'true' : 'false'} onClick={() => set('flip', !edits().flip)}>
          Flip vertically
        </button>
        <button type="button" class="small" aria-pressed={edits().flop ? 'true' : 'false'} onClick={() => set('flop', !edits().flop)}>
          Flip horizontally
        </button>
        <Show when={changed()}>
          <button
            type="button"
            class="small"
            onClick={() => props.setState('edits', { ...initialEdits(), focus: edits().focus, background: edits().background })}
          >
            Reset edits
          </button>
        </Show>
      </div>
      <Show when={edits().rotate !== 0 || edits().crop}>
        <p class="muted small" style={{ margin: 0 }} data-testid="edit-summary">
          {[edits().crop && `crop ${edits().crop!.width} × ${edits().crop!.height}`, edits().rotate !== 0 && `rotated ${edits().rotate}°`]
            .filter(Boolean)
            .join(' · ')}
        </p>
      </Show>
      <div class="sliders">
        <For each={SLIDERS}>
          {(slider) => (
            <div class="field">
              <label for={id(slider.key)}>
                {slider.label}{' '}
                <span class="hint">
                  {edits()[slider.key] === slider.off && slider.off === 0 && slider.key !== 'hue' ? 'off' : edits()[slider.key]}
                </span>
              </label>
              <input
                id={id(slider.key)}
                type="range"
                min={slider.min}
                max={slider.max}
                step={slider.step}
                value={edits()[slider.key]}
                onInput={(e) => setSlider(slider.key, Number(e.currentTarget.value))}
              />
            </div>
          )}
        </For>
        <label class="row small" style={{ gap: '6px', 'align-self': 'end' }}>
          <input type="checkbox" checked={edits().grayscale} onChange={(e) => set('grayscale', e.currentTarget.checked)} /> Greyscale
        </label>
      </div>
    </fieldset>
  );
}
