// The ranges of CompressOptions.transform: the API refuses outside them, the site's sliders span them.

export const TRANSFORM_RANGES = {
  brightness: { min: 0.5, max: 2 },
  saturation: { min: 0, max: 2 },
  hue: { min: -180, max: 180 },
  sharpen: { min: 0.3, max: 5 },
  blur: { min: 0.3, max: 50 },
} as const;

export const ROTATIONS = [0, 90, 180, 270] as const;
