// Edits before resizing and the fit modes: the inputs of CompressOptions.fit and .transform, and
// the output types a stored compression reports them with (Compression.options). The engine is
// imaging/transform.ts.
import { builder } from '../builder.ts';
import { TRANSFORM_RANGES as RANGES } from '../shared/transform-limits.ts';
import type { CropRect, TransformSettings } from '../store/records.ts';

export const FitModeEnum = builder.enumType('FitMode', {
  values: {
    INSIDE: { description: 'Keep the aspect ratio; fit inside width x height (never enlarges).' },
    COVER: { description: 'Fill width x height exactly, cropping the overflow around `focus`.' },
    CONTAIN: { description: 'Fit inside width x height and pad the rest with `background`.' },
    FILL: { description: 'Stretch to width x height, ignoring the aspect ratio.' },
  } as const,
});

export const FocusEnum = builder.enumType('Focus', {
  description: 'Where COVER keeps the picture when it crops.',
  values: {
    CENTER: {},
    ATTENTION: { description: 'The region most likely to draw the eye (luminance, saturation, skin tones).' },
    ENTROPY: { description: 'The region with the most detail.' },
  } as const,
});

export const CropInputType = builder.inputType('CropInput', {
  description: 'A rectangle in pixels of the original as displayed (after EXIF orientation).',
  fields: (t) => ({
    left: t.int({ required: true }),
    top: t.int({ required: true }),
    width: t.int({ required: true }),
    height: t.int({ required: true }),
  }),
});

const range = (name: keyof typeof RANGES) => `${RANGES[name].min}..${RANGES[name].max}`;

export const TransformInputType = builder.inputType('TransformInput', {
  fields: (t) => ({
    crop: t.field({ type: CropInputType }),
    rotate: t.int({ description: 'Clockwise: 0, 90, 180 or 270.' }),
    flip: t.boolean({ description: 'Mirror top to bottom.' }),
    flop: t.boolean({ description: 'Mirror left to right.' }),
    brightness: t.float({ description: `Brightness multiplier, ${range('brightness')} (1 = unchanged).` }),
    saturation: t.float({ description: `Saturation multiplier, ${range('saturation')} (0 = greyscale, 1 = unchanged).` }),
    hue: t.int({ description: `Hue rotation in degrees, ${range('hue')}.` }),
    grayscale: t.boolean(),
    sharpen: t.float({ description: `Unsharp-mask strength (sigma), ${range('sharpen')}.` }),
    blur: t.float({ description: `Gaussian blur sigma, ${range('blur')}.` }),
    focus: t.field({ type: FocusEnum, description: 'For COVER: where to keep the picture. Default CENTER.' }),
    background: t.string({ description: 'Padding colour for CONTAIN and the matte for transparent pixels in JPEG, as #rrggbb.' }),
  }),
});

const CropRectType = builder.objectRef<CropRect>('CropRect').implement({
  description: 'A rectangle in pixels of the original as displayed.',
  fields: (t) => ({
    left: t.exposeInt('left'),
    top: t.exposeInt('top'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
  }),
});

export const TransformSettingsType = builder.objectRef<TransformSettings>('TransformSettings').implement({
  description: 'The edits a compression was made with, defaults filled in (see TransformInput).',
  fields: (t) => ({
    crop: t.field({ type: CropRectType, nullable: true, resolve: (transform) => transform.crop }),
    rotate: t.exposeInt('rotate'),
    flip: t.exposeBoolean('flip'),
    flop: t.exposeBoolean('flop'),
    brightness: t.exposeFloat('brightness'),
    saturation: t.exposeFloat('saturation'),
    hue: t.exposeInt('hue'),
    grayscale: t.exposeBoolean('grayscale'),
    sharpen: t.exposeFloat('sharpen', { nullable: true }),
    blur: t.exposeFloat('blur', { nullable: true }),
    focus: t.field({ type: FocusEnum, resolve: (transform) => transform.focus }),
    background: t.exposeString('background', { nullable: true }),
  }),
});
