// What a photo says about itself, read once at upload from the original's metadata: camera, lens,
// exposure, when it was taken and its colour profile. Kept with the image record; the files
// Pixpress makes from it (thumbnail, rendition, compressions) carry no metadata.
import exifReader from 'exif-reader';
import type { Metadata } from 'sharp';

export interface PhotoFacts {
  camera: string | null;
  lens: string | null;
  /** Seconds. */
  exposureTime: number | null;
  fNumber: number | null;
  iso: number | null;
  /** Millimetres. */
  focalLength: number | null;
  /** As the camera's clock showed it, without a time zone: "2024-05-01T14:03:22". */
  takenAt: string | null;
  colourProfile: string | null;
}

const MAX_TEXT = 120;

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Camera strings are often padded with NULs and spaces, and are free text from a file.
  const cleaned = value.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, '').trim();
  return cleaned ? [...cleaned].slice(0, MAX_TEXT).join('') : null;
}

function positive(value: unknown): number | null {
  const number = Array.isArray(value) ? value[0] : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : null;
}

/** "Canon" + "Canon EOS R5" -> "Canon EOS R5"; "NIKON CORPORATION" + "NIKON D850" -> both. */
function cameraName(make: string | null, model: string | null): string | null {
  if (!make) return model;
  if (!model) return make;
  return model.toLowerCase().startsWith(make.split(/\s+/)[0]!.toLowerCase()) ? model : `${make} ${model}`;
}

function takenAt(value: unknown): string | null {
  // exif-reader reads the zone-less EXIF time as if it were UTC: its UTC fields are the clock's.
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 19);
  return null;
}

/** The profile's own description (ICC 'desc' tag, v2 'desc' or v4 'mluc'), if it has one. */
export function iccDescription(icc: Buffer): string | null {
  try {
    const count = icc.readUInt32BE(128);
    for (let index = 0; index < Math.min(count, 100); index++) {
      const entry = 132 + index * 12;
      if (icc.toString('latin1', entry, entry + 4) !== 'desc') continue;
      const offset = icc.readUInt32BE(entry + 4);
      const type = icc.toString('latin1', offset, offset + 4);
      if (type === 'desc') {
        const length = icc.readUInt32BE(offset + 8);
        return text(icc.toString('latin1', offset + 12, offset + 12 + Math.min(length, 512)));
      }
      if (type === 'mluc') {
        const length = icc.readUInt32BE(offset + 20);
        const start = offset + icc.readUInt32BE(offset + 24);
        const utf16be = icc.subarray(start, start + Math.min(length, 512));
        return text(Buffer.from(utf16be).swap16().toString('utf16le'));
      }
    }
  } catch {
    // A profile too short or malformed to hold a description.
  }
  return null;
}

/** Null when the image says nothing of itself. */
export function readPhotoFacts(metadata: Pick<Metadata, 'exif' | 'icc'>): PhotoFacts | null {
  let exif: ReturnType<typeof exifReader> | undefined;
  try {
    exif = metadata.exif ? exifReader(metadata.exif) : undefined;
  } catch {
    exif = undefined;
  }
  const image = exif?.Image ?? {};
  const photo = exif?.Photo ?? {};
  const lensMake = text(photo.LensMake);
  const lensModel = text(photo.LensModel);
  const facts: PhotoFacts = {
    camera: cameraName(text(image.Make), text(image.Model)),
    lens:
      lensModel && lensMake && !lensModel.toLowerCase().startsWith(lensMake.toLowerCase())
        ? `${lensMake} ${lensModel}`
        : (lensModel ?? lensMake),
    exposureTime: positive(photo.ExposureTime),
    fNumber: positive(photo.FNumber),
    iso: positive(photo.ISOSpeedRatings),
    focalLength: positive(photo.FocalLength),
    takenAt: takenAt(photo.DateTimeOriginal) ?? takenAt(image.DateTime),
    colourProfile: metadata.icc ? iccDescription(metadata.icc) : null,
  };
  return Object.values(facts).some((value) => value !== null) ? facts : null;
}
