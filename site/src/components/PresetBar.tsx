// Saved option sets in the compress form: apply one with a click, save the current options under
// a name (the same name replaces), delete. The presets live on the server, per user.
import { createSignal, For, onMount, Show } from 'solid-js';
import { unwrap, type SetStoreFunction } from 'solid-js/store';
import { stateFromPreset, toCompressOptions, type CompressFormState, type PresetOptionsView } from '../lib/compress-options.ts';
import { DeletePresetMutation, PresetsQuery, SavePresetMutation } from '../lib/operations.ts';
import { describeProblem } from '../lib/problems.ts';
import { browserClient } from '../lib/urql.ts';

interface Preset {
  id: string;
  name: string;
  options: PresetOptionsView;
}

export interface PresetBarProps {
  state: CompressFormState;
  setState: SetStoreFunction<CompressFormState>;
  original: { width: number; height: number };
  idPrefix: string;
}

export default function PresetBar(props: PresetBarProps) {
  const client = browserClient();
  const [presets, setPresets] = createSignal<Preset[]>([]);
  const [name, setName] = createSignal('');
  const [message, setMessage] = createSignal<{ kind: 'error' | 'done'; text: string } | null>(null);

  const load = async () => {
    const result = await client.query(PresetsQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (result.data) setPresets(result.data.presets);
  };
  onMount(load);

  const apply = (preset: Preset) => {
    props.setState(stateFromPreset(preset.options, props.original, unwrap(props.state)));
    setMessage({ kind: 'done', text: `Applied “${preset.name}”.` });
  };

  const save = async () => {
    const check = toCompressOptions(unwrap(props.state), props.original);
    if (!check.ok) return setMessage({ kind: 'error', text: check.message });
    const result = await client.mutation(SavePresetMutation, { name: name(), options: check.options }).toPromise();
    const outcome = result.data?.savePreset;
    if (outcome?.__typename === 'Preset') {
      setName('');
      setMessage({ kind: 'done', text: `Saved “${outcome.name}”.` });
      await load();
    } else {
      setMessage({ kind: 'error', text: outcome ? describeProblem(outcome) : 'The preset could not be saved.' });
    }
  };

  const remove = async (preset: Preset) => {
    const result = await client.mutation(DeletePresetMutation, { id: preset.id }).toPromise();
    if (result.data?.deletePreset.__typename === 'Deleted') {
      setPresets(presets().filter((candidate) => candidate.id !== preset.id));
      setMessage({ kind: 'done', text: `Deleted “${preset.name}”.` });
    } else {
      setMessage({ kind: 'error', text: 'The preset could not be deleted.' });
    }
  };

  return (
    <section class="presets stack" aria-label="Presets">
      <Show
        when={presets().length > 0}
        fallback={
          <p class="muted small" style={{ margin: 0 }}>
            No presets yet: add the options below under a name.
          </p>
        }
      >
        <ul class="preset-list" aria-label="Saved presets">
          <For each={presets()}>
            {(preset) => (
              <li class="row" style={{ gap: '4px' }}>
                <button type="button" class="small" onClick={() => apply(preset)} aria-label={`Apply preset ${preset.name}`}>
                  {preset.name}
                </button>
                <button type="button" class="small danger" onClick={() => void remove(preset)} aria-label={`Delete preset ${preset.name}`}>
                  ×
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <div class="row">
        <label class="visually-hidden" for={`${props.idPrefix}-preset-name`}>
          Preset name
        </label>
        <input
          id={`${props.idPrefix}-preset-name`}
          type="text"
          maxlength="60"
          placeholder="e.g. Web 1600 WebP"
          value={name()}
          onInput={(event) => setName(event.currentTarget.value)}
          onKeyDown={(event) => {
            // Enter saves the preset instead of submitting the compress form around it.
            if (event.key === 'Enter') {
              event.preventDefault();
              void save();
            }
          }}
        />
        <button type="button" class="small" disabled={name().trim() === ''} onClick={() => void save()}>
          Add preset
        </button>
      </div>
      <Show when={message()}>
        <p
          class={message()!.kind === 'error' ? 'alert error small' : 'status-done small'}
          role={message()!.kind === 'error' ? 'alert' : 'status'}
        >
          {message()!.text}
        </p>
      </Show>
    </section>
  );
}
