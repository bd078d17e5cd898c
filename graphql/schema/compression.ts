// Compressions: stored ones (a child of an image, with a signed URL like the original's), and
// results returned without storing (one-shot uploads and previews). The engine is in imaging/.
import { builder, type Context } from '../builder.ts';
import { chargeDecode } from '../imaging/decode-budget.ts';
import {
  FileTooLargeError,
  InvalidImageError,
  InvalidTransformError,
  NotFoundError,
  QuotaExceededError,
  TargetUnreachableError,
  ValidationError,
} from '../errors.ts';
import { validateCompressOptions, type CompressOptionsInput } from '../imaging/compress-options.ts';
import { MAX_COMPRESS_IMAGES, MAX_OUTPUT_SIDE, MAX_TARGET_SSIM, MIN_MAX_BYTES, MIN_TARGET_SSIM } from '../shared/compress-limits.ts';
import { discardUpload } from '../http/uploads.ts';
import { compressUpload, deleteCompression, previewCompression, storeCompression, type CompressedFile } from '../imaging/compressions.ts';
import { imageKey } from '../store/loaders.ts';
import type { CompressionRecord, CompressionSettings, ImageRecord } from '../store/records.ts';
import { compressionDownloadName } from '../http/download-names.ts';
import { validateIds } from './bulk.ts';
import { requireUser } from './errors.ts';
import { selectsField } from './selection.ts';
import { DeleteResult, ImageFormatEnum, ImageType } from './image.ts';
import { FitModeEnum, TransformInputType, TransformSettingsType } from './transform.ts';

export const OutputFormatEnum = builder.enumType('OutputFormat', {
  description:
    'What a compression may be asked to produce: a concrete format, or AUTO for the smallest of JPEG, WebP and AVIF that meets the quality target.',
  values: {
    AUTO: {
      description:
        'The smallest of JPEG, WebP and AVIF reaching targetSsim (0.98 when none is given), or the one with the highest SSIM within maxBytes. JPEG is left out for images with transparency.',
    },
    JPEG: {},
    PNG: { description: 'Lossless at quality 100; quantised to a palette of at most 256 colours below it.' },
    WEBP: { description: 'Lossless WebP at quality 100; lossy below it.' },
    AVIF: {},
  } as const,
});

export const EncodeEffortEnum = builder.enumType('EncodeEffort', {
  values: {
    FAST: { description: 'Fastest encoder settings: live previews and one-shot calls.' },
    BALANCED: {},
    SMALLEST: { description: 'Spend more time for fewer bytes (e.g. a slower AVIF effort), verified at full size.' },
  } as const,
});

const CompressionSettingsType = builder.objectRef<CompressionSettings>('CompressionSettings').implement({
  description: 'The options a stored compression was made with, as checked (defaults filled in); mirrors CompressOptions.',
  fields: (t) => ({
    width: t.exposeInt('width', { nullable: true }),
    height: t.exposeInt('height', { nullable: true }),
    fit: t.field({ type: FitModeEnum, resolve: (settings) => settings.fit }),
    format: t.field({
      type: OutputFormatEnum,
      description: "What was asked for (the original's format when none was named).",
      resolve: (settings) => settings.format,
    }),
    quality: t.exposeInt('quality', { nullable: true, description: 'Set when a fixed quality was asked for (80 when nothing was).' }),
    targetSsim: t.exposeFloat('targetSsim', { nullable: true }),
    maxBytes: t.exposeInt('maxBytes', { nullable: true }),
    effort: t.field({ type: EncodeEffortEnum, resolve: (settings) => settings.effort }),
    transform: t.field({ type: TransformSettingsType, nullable: true, resolve: (settings) => settings.transform }),
  }),
});

/** Charges the user's decode budget for one pass over a stored image (a missing one is the engine's NotFound). */
async function chargeDecodeOf(context: Context, userId: string, imageId: string): Promise<void> {
  const image = await context.services.records.getImage(userId, imageId);
  if (!image) return;
  const { services } = context;
  await chargeDecode(services.decodeLimiter, userId, image.width * image.height, services.config.decodeMegapixelsPerMinute);
}

function isBulkCompressFailure(error: unknown): error is Exclude<BulkCompressOutcome, CompressionRecord> {
  return [ValidationError, NotFoundError, QuotaExceededError, TargetUnreachableError, InvalidTransformError].some(
    (type) => error instanceof type,
  );
}

async function imageOf(loaders: Context['loaders'], compression: CompressionRecord): Promise<Pick<ImageRecord, 'name'>> {
  // A compression outlives its image only between two steps of a delete: any name will do then.
  return (await loaders.image.load(imageKey(compression.userId, compression.imageId))) ?? { name: 'image' };
}

function savings(bytes: number, originalBytes: number): number {
  return originalBytes > 0 ? 1 - bytes / originalBytes : 0;
}

export const CompressionType = builder.objectRef<CompressionRecord>('Compression').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    image: t.field({
      type: ImageType,
      resolve: async (compression, _args, { loaders }) => {
        const image = await loaders.image.load(imageKey(compression.userId, compression.imageId));
        if (!image) throw new NotFoundError('The image of this compression is gone.');
        return image;
      },
    }),
    format: t.field({ type: ImageFormatEnum, resolve: (compression) => compression.format }),
    mimeType: t.exposeString('mimeType'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    bytes: t.exposeInt('bytes'),
    quality: t.exposeInt('quality', { description: 'The encoder quality used; chosen by search when a target was given.' }),
    ssim: t.exposeFloat('ssim', {
      nullable: true,
      description: 'Structural similarity (SSIM) of the output to the original at the output size, 0..1.',
    }),
    savings: t.float({
      description: '1 - bytes / original bytes. Negative when the output is larger.',
      resolve: async (compression, _args, { loaders }) =>
        savings(compression.bytes, (await loaders.image.load(imageKey(compression.userId, compression.imageId)))?.bytes ?? 0),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (compression) => compression.createdAt }),
    options: t.field({
      type: CompressionSettingsType,
      nullable: true,
      description: 'The options it was made with; null for compressions stored before they were recorded.',
      resolve: (compression) => compression.options ?? null,
    }),
    downloadName: t.string({
      description: 'The file name to save it under, distinct for each compression of an image (e.g. "photo-1600w-q80.webp").',
      resolve: async (compression, _args, { loaders }) => compressionDownloadName(await imageOf(loaders, compression), compression),
    }),
    url: t.string({
      description: 'Signed, short-lived URL of the compressed file (saved under downloadName where the store serves it directly).',
      resolve: async (compression, _args, { services, loaders }) =>
        services.fileUrls.url({
          key: compression.file,
          contentType: compression.mimeType,
          downloadName: compressionDownloadName(await imageOf(loaders, compression), compression),
        }),
    }),
    base64: t.string({
      description: 'The compressed bytes, base64-encoded, for clients that want them in the response.',
      resolve: async (compression, _args, { services, budget }) => {
        budget.takeBase64(compression.bytes);
        return (await services.blobs.read(compression.file)).toString('base64');
      },
    }),
  }),
});

const CompressedFileType = builder.objectRef<CompressedFile>('CompressedFile').implement({
  description: 'A compression that was computed and returned, not stored.',
  fields: (t) => ({
    format: t.field({ type: ImageFormatEnum, resolve: (file) => file.format }),
    mimeType: t.exposeString('mimeType'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    bytes: t.int({ resolve: (file) => file.data.length }),
    quality: t.exposeInt('quality'),
    ssim: t.exposeFloat('ssim', {
      nullable: true,
      description: 'SSIM of the output to the original at the output size; measured only when this field is selected.',
    }),
    originalBytes: t.exposeInt('originalBytes'),
    savings: t.float({ resolve: (file) => savings(file.data.length, file.originalBytes) }),
    ticket: t.exposeString('ticket', {
      nullable: true,
      description:
        'Previews only: pass it to compressImage with the same options to store this very result without searching again. Signed; valid for 10 minutes; a ticket that does not match is ignored.',
    }),
    base64: t.string({
      resolve: (file, _args, { budget }) => {
        budget.takeBase64(file.data.length);
        return file.data.toString('base64');
      },
    }),
  }),
});

export const CompressOptionsInputType = builder.inputType('CompressOptions', {
  fields: (t) => ({
    width: t.int({ description: `Output width in px (1..${MAX_OUTPUT_SIDE}). Aspect ratio is kept; never enlarges.` }),
    height: t.int({ description: `Output height in px (1..${MAX_OUTPUT_SIDE}). With width too, the image fits inside both.` }),
    format: t.field({ type: OutputFormatEnum, description: "Default: the original's format (PNG for a GIF original)." }),
    quality: t.int({ description: 'Encoder quality 1..100 (default 80). At most one of quality, targetSsim, maxBytes.' }),
    targetSsim: t.float({
      description: `Smallest output whose SSIM to the original is at least this (${MIN_TARGET_SSIM}..${MAX_TARGET_SSIM}).`,
    }),
    maxBytes: t.int({ description: `Highest quality whose output fits in this many bytes (at least ${MIN_MAX_BYTES}).` }),
    fit: t.field({ type: FitModeEnum, description: 'With width and height both given: how the image meets that box. Default INSIDE.' }),
    transform: t.field({
      type: TransformInputType,
      description: 'Edits applied before resizing, in this order: crop, rotate, flip/flop, colour, sharpen/blur.',
    }),
    effort: t.field({
      type: EncodeEffortEnum,
      description: 'How hard the encoder works for fewer bytes at the same quality. Default BALANCED.',
    }),
  }),
});

builder.objectField(ImageType, 'compressions', (t) =>
  t.field({
    type: [CompressionType],
    description: 'Newest first.',
    resolve: (image, _args, { loaders }) => loaders.compressions.load(image.id),
  }),
);

const CompressImageResult = builder.errorUnion('CompressImageResult', {
  types: [CompressionType, ValidationError, NotFoundError, QuotaExceededError, TargetUnreachableError, InvalidTransformError],
  resolveType: () => 'Compression',
});

const CompressUploadResult = builder.errorUnion('CompressUploadResult', {
  types: [CompressedFileType, ValidationError, InvalidImageError, FileTooLargeError, TargetUnreachableError, InvalidTransformError],
  resolveType: () => 'CompressedFile',
});

const PreviewResult = builder.errorUnion('PreviewResult', {
  types: [CompressedFileType, ValidationError, NotFoundError, TargetUnreachableError, InvalidTransformError],
  resolveType: () => 'CompressedFile',
});

type BulkCompressOutcome =
  | CompressionRecord
  | ValidationError
  | NotFoundError
  | QuotaExceededError
  | TargetUnreachableError
  | InvalidTransformError;

const BulkCompressedType = builder.objectRef<{ results: BulkCompressOutcome[] }>('BulkCompressed').implement({
  fields: (t) => ({
    results: t.field({
      type: [CompressImageResult],
      description: 'One per distinct id, in the order given.',
      resolve: (bulk) => bulk.results,
    }),
  }),
});

const CompressImagesResult = builder.errorUnion('CompressImagesResult', {
  types: [BulkCompressedType, ValidationError],
  resolveType: () => 'BulkCompressed',
});

builder.queryFields((t) => ({
  compression: t.field({
    type: CompressionType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) =>
      (await context.services.records.getCompression(await requireUser(context), String(id))) ?? null,
  }),
  previewCompression: t.field({
    type: PreviewResult,
    description: 'Compress a stored image without storing the result (live preview while choosing options).',
    args: { imageId: t.arg.id({ required: true }), options: t.arg({ type: CompressOptionsInputType, required: true }) },
    resolve: async (_root, { imageId, options }, context, info) => {
      const userId = await requireUser(context);
      await chargeDecodeOf(context, userId, String(imageId));
      const plan = {
        ...validateCompressOptions(options as CompressOptionsInput),
        measureSsim: selectsField(info, 'CompressedFile', 'ssim'),
      };
      return previewCompression(context.services, userId, String(imageId), plan);
    },
  }),
}));

builder.mutationFields((t) => ({
  compressImage: t.field({
    type: CompressImageResult,
    description: 'Make and store a compression of a stored image.',
    args: {
      imageId: t.arg.id({ required: true }),
      options: t.arg({ type: CompressOptionsInputType, required: true }),
      ticket: t.arg.string({
        description: "A preview's ticket for the same image and options: stores its result without a second search.",
      }),
    },
    resolve: async (_root, { imageId, options, ticket }, context) => {
      const userId = await requireUser(context);
      await chargeDecodeOf(context, userId, String(imageId));
      return storeCompression(
        context.services,
        userId,
        String(imageId),
        validateCompressOptions(options as CompressOptionsInput),
        ticket ?? null,
      );
    },
  }),
  compressImages: t.field({
    type: CompressImagesResult,
    description: `Compresses each image with the same options and stores the results, one after another; at most ${MAX_COMPRESS_IMAGES}. Each image is reserved against the quota and queued like compressImage; another user's image is NotFoundError, like a missing one.`,
    args: { ids: t.arg.idList({ required: true }), options: t.arg({ type: CompressOptionsInputType, required: true }) },
    resolve: async (_root, { ids, options }, context) => {
      const userId = await requireUser(context);
      const plan = validateCompressOptions(options as CompressOptionsInput);
      const wanted = validateIds(ids, MAX_COMPRESS_IMAGES);
      const { services } = context;
      // Charged for the whole batch before any work, so a throttled call is refused whole rather
      // than stopping halfway with the results so far unreported.
      let pixels = 0;
      for (const id of wanted) {
        const image = await services.records.getImage(userId, id);
        if (image) pixels += image.width * image.height;
      }
      if (pixels > 0) await chargeDecode(services.decodeLimiter, userId, pixels, services.config.decodeMegapixelsPerMinute);
      const results: BulkCompressOutcome[] = [];
      for (const id of wanted) {
        try {
          results.push(await storeCompression(services, userId, id, plan));
        } catch (error) {
          if (!isBulkCompressFailure(error)) throw error;
          results.push(error);
        }
      }
      return { results };
    },
  }),
  compressUpload: t.field({
    type: CompressUploadResult,
    description: 'One shot: accept a large image and return the downsized version in the response; nothing is stored.',
    args: { file: t.arg({ type: 'Upload', required: true }), options: t.arg({ type: CompressOptionsInputType, required: true }) },
    resolve: async (_root, { file, options }, context, info) => {
      try {
        await requireUser(context);
      } catch (error) {
        void discardUpload(file);
        throw error;
      }
      return compressUpload(context.services, file, options as CompressOptionsInput, {
        measureSsim: selectsField(info, 'CompressedFile', 'ssim'),
      });
    },
  }),
  deleteCompression: t.field({
    type: DeleteResult,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const deleted = await deleteCompression(context.services, await requireUser(context), String(id));
      if (!deleted) throw new NotFoundError('No such compression.');
      return { id: String(id) };
    },
  }),
}));
