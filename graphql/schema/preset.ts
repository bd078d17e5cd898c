// Presets: compression options saved per user under a name, offered by the site's compress form.
import { builder } from '../builder.ts';
import { NotFoundError, QuotaExceededError, ValidationError } from '../errors.ts';
import type { CompressOptionsInput } from '../imaging/compress-options.ts';
import { savePreset } from '../imaging/presets.ts';
import type { PresetOptions, PresetRecord } from '../store/records.ts';
import { CompressOptionsInputType, EncodeEffortEnum, OutputFormatEnum } from './compression.ts';
import { requireUser } from './errors.ts';
import { FitModeEnum, TransformSettingsType } from './transform.ts';
import { DeleteResult } from './image.ts';

const PresetOptionsType = builder.objectRef<PresetOptions>('PresetOptions').implement({
  description: 'The CompressOptions a preset holds; unset fields are null (the defaults apply).',
  fields: (t) => ({
    width: t.int({ nullable: true, resolve: (options) => options.width ?? null }),
    height: t.int({ nullable: true, resolve: (options) => options.height ?? null }),
    format: t.field({ type: OutputFormatEnum, nullable: true, resolve: (options) => options.format ?? null }),
    quality: t.int({ nullable: true, resolve: (options) => options.quality ?? null }),
    targetSsim: t.float({ nullable: true, resolve: (options) => options.targetSsim ?? null }),
    maxBytes: t.int({ nullable: true, resolve: (options) => options.maxBytes ?? null }),
    effort: t.field({ type: EncodeEffortEnum, nullable: true, resolve: (options) => options.effort ?? null }),
    fit: t.field({ type: FitModeEnum, nullable: true, resolve: (options) => options.fit ?? null }),
    transform: t.field({
      type: TransformSettingsType,
      nullable: true,
      description: 'The edits, defaults filled in; crop is always null (a preset keeps none: it is in pixels of one original).',
      resolve: (options) => (options.transform ? { ...options.transform, crop: null } : null),
    }),
  }),
});

const PresetType = builder.objectRef<PresetRecord>('Preset').implement({
  description: 'Compression options saved under a name.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    options: t.field({ type: PresetOptionsType, resolve: (preset) => preset.options }),
    createdAt: t.field({ type: 'DateTime', resolve: (preset) => preset.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (preset) => preset.updatedAt }),
  }),
});

const SavePresetResult = builder.errorUnion('SavePresetResult', {
  types: [PresetType, ValidationError, QuotaExceededError],
  resolveType: () => 'Preset',
});

builder.queryFields((t) => ({
  presets: t.field({
    type: [PresetType],
    description: "The caller's presets, by name.",
    resolve: async (_root, _args, context) => context.services.records.listPresets(await requireUser(context)),
  }),
}));

builder.mutationFields((t) => ({
  savePreset: t.field({
    type: SavePresetResult,
    description: 'Saves options under a name (1..60 characters); a preset of the same name (ignoring case) is replaced.',
    args: { name: t.arg.string({ required: true }), options: t.arg({ type: CompressOptionsInputType, required: true }) },
    resolve: async (_root, { name, options }, context) =>
      savePreset(context.services, await requireUser(context), name, options as CompressOptionsInput),
  }),
  deletePreset: t.field({
    type: DeleteResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const removed = await context.services.records.removePreset(await requireUser(context), String(id));
      if (!removed) throw new NotFoundError('No such preset.');
      return { id: String(id) };
    },
  }),
}));
