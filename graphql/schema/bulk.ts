// Work on several images at once, from the gallery's selection. Each image is handled on its own
// (deleted, or retagged, completely or not at all) and reported in the order asked, so one image
// that is gone or not the caller's does not stop the others.
import { builder } from '../builder.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { deleteStoredImage } from '../imaging/ingest.ts';
import { MAX_TAGS, validateTags } from '../store/image-fields.ts';
import type { ImageRecord } from '../store/records.ts';
import { requireUser } from './errors.ts';
import { DeleteResult, ImageType } from './image.ts';

/** More would hold one request (and the image queue's disk work) for too long. */
export const MAX_BULK_IMAGES = 100;

export function validateIds(ids: readonly (string | number)[], max = MAX_BULK_IMAGES): string[] {
  if (ids.length === 0) throw new ValidationError('Choose at least one image.', 'ids');
  if (ids.length > max) throw new ValidationError(`At most ${max} images at once.`, 'ids');
  return [...new Set(ids.map(String))];
}

const BulkDeletedType = builder.objectRef<{ results: Array<{ id: string } | NotFoundError> }>('BulkDeleted').implement({
  fields: (t) => ({
    results: t.field({ type: [DeleteResult], description: 'One per distinct id, in the order given.', resolve: (bulk) => bulk.results }),
  }),
});

const RetagResult = builder.errorUnion('RetagResult', {
  types: [ImageType, ValidationError, NotFoundError],
  resolveType: () => 'Image',
});

const BulkRetaggedType = builder.objectRef<{ results: Array<ImageRecord | ValidationError | NotFoundError> }>('BulkRetagged').implement({
  fields: (t) => ({
    results: t.field({ type: [RetagResult], description: 'One per distinct id, in the order given.', resolve: (bulk) => bulk.results }),
  }),
});

const DeleteImagesResult = builder.errorUnion('DeleteImagesResult', {
  types: [BulkDeletedType, ValidationError],
  resolveType: () => 'BulkDeleted',
});

const TagImagesResult = builder.errorUnion('TagImagesResult', {
  types: [BulkRetaggedType, ValidationError],
  resolveType: () => 'BulkRetagged',
});

builder.mutationFields((t) => ({
  deleteImages: t.field({
    type: DeleteImagesResult,
    description: `Deletes each image with its compressions and files; at most ${MAX_BULK_IMAGES}. Another user's image is NotFoundError, like a missing one.`,
    args: { ids: t.arg.idList({ required: true }) },
    resolve: async (_root, { ids }, context) => {
      const userId = await requireUser(context);
      const results: Array<{ id: string } | NotFoundError> = [];
      for (const id of validateIds(ids)) {
        const deleted = await deleteStoredImage(context.services, userId, id);
        results.push(deleted ? { id } : new NotFoundError(`No such image: ${id}.`));
      }
      return { results };
    },
  }),
  tagImages: t.field({
    type: TagImagesResult,
    description: `Adds and removes tags (ignoring case) on each image; at most ${MAX_BULK_IMAGES}. An image that would pass the tag limit is a ValidationError and keeps its tags.`,
    args: { ids: t.arg.idList({ required: true }), add: t.arg.stringList(), remove: t.arg.stringList() },
    resolve: async (_root, { ids, add, remove }, context) => {
      const userId = await requireUser(context);
      const adding = validateTags(add ?? [], 'add');
      const removing = validateTags(remove ?? [], 'remove');
      if (adding.length === 0 && removing.length === 0) throw new ValidationError('Give a tag to add or to remove.', 'add');
      const { records } = context.services;
      const results: Array<ImageRecord | ValidationError | NotFoundError> = [];
      for (const id of validateIds(ids)) {
        // Read, checked and written in one unit of work in the store, so that concurrent retags of
        // one image each keep the tags the others added.
        const changed = await records.changeTags(userId, id, { add: adding, remove: removing }, MAX_TAGS);
        if (changed === 'limit') results.push(new ValidationError(`An image has at most ${MAX_TAGS} tags.`, 'tags'));
        else results.push(changed ?? new NotFoundError(`No such image: ${id}.`));
      }
      return { results };
    },
  }),
}));
