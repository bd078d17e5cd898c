import { builder } from '../builder.ts';
import { FileTooLargeError, InvalidImageError, NotFoundError, QuotaExceededError, ValidationError } from '../errors.ts';
import { uploadRefusalReason } from '../http/metrics.ts';
import { signedUrlExpiry } from '../http/signed-urls.ts';
import { deleteStoredImage, storeUploadedImage } from '../imaging/ingest.ts';
import { validateName, validateTags } from '../store/image-fields.ts';
import type { ImagePage } from '../store/image-query.ts';
import { imageKey } from '../store/loaders.ts';
import type { ImageRecord } from '../store/records.ts';
import type { PhotoFacts } from '../imaging/photo-facts.ts';
import { requireUser } from './errors.ts';
import { MIME_TYPES } from '../shared/formats.ts';

export const ImageFormatEnum = builder.enumType('ImageFormat', {
  values: {
    JPEG: {},
    PNG: {},
    WEBP: {},
    AVIF: {},
    GIF: { description: 'Originals only (first frame); never an output.' },
  } as const,
});

const ImageOrderEnum = builder.enumType('ImageOrder', {
  values: ['NEWEST', 'OLDEST', 'NAME', 'LARGEST', 'SMALLEST'] as const,
});

const PhotoFactsType = builder.objectRef<PhotoFacts>('PhotoFacts').implement({
  description:
    "What the original's metadata (EXIF, ICC profile) said of it at upload. The stored thumbnail, rendition and compressions carry no metadata.",
  fields: (t) => ({
    camera: t.exposeString('camera', { nullable: true }),
    lens: t.exposeString('lens', { nullable: true }),
    exposureTime: t.exposeFloat('exposureTime', { nullable: true, description: 'Shutter time in seconds.' }),
    fNumber: t.exposeFloat('fNumber', { nullable: true, description: 'Aperture, as f/N.' }),
    iso: t.exposeFloat('iso', { nullable: true }),
    focalLength: t.exposeFloat('focalLength', { nullable: true, description: 'Millimetres.' }),
    takenAt: t.exposeString('takenAt', {
      nullable: true,
      description: 'As the camera clock showed it, without a time zone (e.g. 2024-05-01T14:03:22).',
    }),
    colourProfile: t.exposeString('colourProfile', { nullable: true, description: "The ICC profile's description." }),
  }),
});

export const ImageType = builder.objectRef<ImageRecord>('Image').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    format: t.field({ type: ImageFormatEnum, resolve: (image) => image.format }),
    mimeType: t.exposeString('mimeType'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    bytes: t.exposeInt('bytes'),
    tags: t.exposeStringList('tags'),
    createdAt: t.field({ type: 'DateTime', resolve: (image) => image.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (image) => image.updatedAt }),
    url: t.string({
      description: 'Signed, short-lived URL of the original.',
      resolve: (image, _args, { services }) =>
        services.fileUrls.url({ key: image.file, contentType: image.mimeType, downloadName: image.name }),
    }),
    displayUrl: t.string({
      description:
        'Signed, short-lived URL of what pages show: a WebP rendition at most 1600 px wide made at upload, or the original when that would not be smaller (and for images stored before renditions).',
      resolve: (image, _args, { services }) =>
        image.displayFile
          ? services.fileUrls.url({ key: image.displayFile, contentType: MIME_TYPES.WEBP })
          : services.fileUrls.url({ key: image.file, contentType: image.mimeType, downloadName: image.name }),
    }),
    photoFacts: t.field({
      type: PhotoFactsType,
      nullable: true,
      description:
        'Camera, lens, exposure, date taken and colour profile; null when the file said none of them (or was stored before these were read).',
      resolve: (image) => image.photoFacts ?? null,
    }),
    thumbnailUrl: t.string({
      description: 'Signed, short-lived URL of a small preview (longest side at most 512 px).',
      resolve: (image, _args, { services }) => services.fileUrls.url({ key: image.thumbnailFile, contentType: MIME_TYPES.WEBP }),
    }),
    urlExpiresAt: t.field({
      type: 'DateTime',
      description:
        "When the signed URLs of this response (url, thumbnailUrl, the compressions' url) stop working, at the earliest: ask again before then.",
      // The app's own URLs round their expiry down (signed-urls.ts) and presigned bucket URLs last
      // the whole TTL, so the rounded time is never later than either. The URLs are signed in the
      // same execution, milliseconds apart; clients ask again well before.
      resolve: (_image, _args, { services }) => new Date(signedUrlExpiry(services.config.urlTtlSeconds) * 1000),
    }),
  }),
});

const PageInfoType = builder.objectRef<ImagePage>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

const ImageEdgeType = builder.objectRef<ImagePage['edges'][number]>('ImageEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: ImageType, resolve: (edge) => edge.node }),
  }),
});

const ImageConnectionType = builder.objectRef<ImagePage>('ImageConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [ImageEdgeType], resolve: (page) => page.edges }),
    pageInfo: t.field({ type: PageInfoType, resolve: (page) => page }),
    totalCount: t.exposeInt('totalCount'),
  }),
});

const TagType = builder.objectRef<{ name: string; count: number }>('Tag').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    count: t.exposeInt('count'),
  }),
});

export const DeletedType = builder.objectRef<{ id: string }>('Deleted').implement({
  fields: (t) => ({ id: t.exposeID('id') }),
});

const UploadImageResult = builder.errorUnion('UploadImageResult', {
  types: [ImageType, ValidationError, InvalidImageError, FileTooLargeError, QuotaExceededError],
  resolveType: () => 'Image',
});

const UpdateImageResult = builder.errorUnion('UpdateImageResult', {
  types: [ImageType, ValidationError, NotFoundError],
  resolveType: () => 'Image',
});

export const DeleteResult = builder.errorUnion('DeleteResult', {
  types: [DeletedType, NotFoundError],
  resolveType: () => 'Deleted',
});

builder.queryFields((t) => ({
  image: t.field({
    type: ImageType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => context.loaders.image.load(imageKey(await requireUser(context), String(id))),
  }),
  images: t.field({
    type: ImageConnectionType,
    description: "The caller's images. search matches the name or a tag, ignoring case; tag matches one whole tag, ignoring case.",
    args: {
      first: t.arg.int({ defaultValue: 24 }),
      after: t.arg.string(),
      orderBy: t.arg({ type: ImageOrderEnum, defaultValue: 'NEWEST' }),
      search: t.arg.string(),
      tag: t.arg.string(),
    },
    resolve: async (_root, args, context) =>
      context.services.records.queryImages(await requireUser(context), {
        first: args.first ?? 24,
        after: args.after ?? null,
        orderBy: args.orderBy ?? 'NEWEST',
        // Well-formed like every stored name and tag (see image-fields.ts), so they can match.
        search: args.search?.toWellFormed() ?? null,
        tag: args.tag?.toWellFormed() ?? null,
      }),
  }),
  tags: t.field({
    type: [TagType],
    description: "The caller's tags with how many images carry each.",
    resolve: async (_root, _args, context) => context.services.records.tagCounts(await requireUser(context)),
  }),
}));

builder.mutationFields((t) => ({
  uploadImage: t.field({
    type: UploadImageResult,
    description: "Store an original. name defaults to the file's name.",
    args: {
      file: t.arg({ type: 'Upload', required: true }),
      name: t.arg.string(),
      tags: t.arg.stringList(),
    },
    resolve: async (_root, { file, name, tags }, context) => {
      try {
        return await storeUploadedImage(context.services, await requireUser(context), { upload: file, name, tags });
      } catch (error) {
        context.services.metrics.uploadRefused(uploadRefusalReason(error));
        throw error;
      }
    },
  }),
  updateImage: t.field({
    type: UpdateImageResult,
    args: { id: t.arg.id({ required: true }), name: t.arg.string(), tags: t.arg.stringList() },
    resolve: async (_root, { id, name, tags }, context) => {
      const userId = await requireUser(context);
      const changes = {
        ...(name == null ? {} : { name: validateName(name) }),
        ...(tags == null ? {} : { tags: validateTags(tags) }),
      };
      const image = await context.services.records.updateImage(userId, String(id), changes);
      if (!image) throw new NotFoundError('No such image.');
      return image;
    },
  }),
  deleteImage: t.field({
    type: DeleteResult,
    description: 'Deletes the image, its compressions and their files.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const deleted = await deleteStoredImage(context.services, await requireUser(context), String(id));
      if (!deleted) throw new NotFoundError('No such image.');
      return { id: String(id) };
    },
  }),
}));
