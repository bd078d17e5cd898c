// Share links: public URLs for one stored file each (sharing/share-links.ts), and the caller's list.
import { builder } from '../builder.ts';
import { NotFoundError, QuotaExceededError, ValidationError } from '../errors.ts';
import { createShareLink, MAX_SHARE_SECONDS, MIN_SHARE_SECONDS } from '../sharing/share-links.ts';
import { shareUrl } from '../sharing/share-tokens.ts';
import { imageKey } from '../store/loaders.ts';
import type { ShareLinkRecord } from '../store/records.ts';
import { CompressionType } from './compression.ts';
import { requireUser } from './errors.ts';
import { DeleteResult, ImageType } from './image.ts';

export const ShareLinkType = builder.objectRef<ShareLinkRecord>('ShareLink').implement({
  description: 'A public link to one stored compression or original, for people without an account.',
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.string({
      description: 'Absolute URL; works without signing in until it expires or is revoked.',
      resolve: (link, _args, { services, origin }) => shareUrl(origin, services.shareTokens.tokenOf(link)),
    }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (link) => link.expiresAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (link) => link.createdAt }),
    expired: t.boolean({
      description: 'True once expiresAt has passed (the link then answers 410 Gone).',
      resolve: (link) => link.expiresAt !== null && Date.parse(link.expiresAt) <= Date.now(),
    }),
    image: t.field({
      type: ImageType,
      description: 'The image whose original (or one of whose compressions) the link serves.',
      resolve: async (link, _args, { loaders }) => {
        const image = await loaders.image.load(imageKey(link.userId, link.imageId));
        if (!image) throw new NotFoundError('The image of this link is gone.');
        return image;
      },
    }),
    compression: t.field({
      type: CompressionType,
      nullable: true,
      description: 'The compression the link serves; null when it serves the original.',
      resolve: async (link, _args, { loaders }) =>
        link.compressionId === null
          ? null
          : ((await loaders.compressions.load(link.imageId)).find((compression) => compression.id === link.compressionId) ?? null),
    }),
  }),
});

const ShareLinkResult = builder.errorUnion('ShareLinkResult', {
  types: [ShareLinkType, ValidationError, NotFoundError, QuotaExceededError],
  resolveType: () => 'ShareLink',
});

builder.queryFields((t) => ({
  shareLinks: t.field({
    type: [ShareLinkType],
    description: "The caller's share links, newest first.",
    resolve: async (_root, _args, context) => context.services.records.listShareLinks(await requireUser(context)),
  }),
}));

builder.mutationFields((t) => ({
  createShareLink: t.field({
    type: ShareLinkResult,
    description: `A public link to a stored compression (compressionId) or original (imageId): exactly one of them. expiresInSeconds: ${MIN_SHARE_SECONDS}..${MAX_SHARE_SECONDS}, or none for a link that lasts until revoked.`,
    args: { compressionId: t.arg.id(), imageId: t.arg.id(), expiresInSeconds: t.arg.int() },
    resolve: async (_root, { compressionId, imageId, expiresInSeconds }, context) =>
      createShareLink(
        context.services,
        await requireUser(context),
        { compressionId: compressionId == null ? null : String(compressionId), imageId: imageId == null ? null : String(imageId) },
        expiresInSeconds,
      ),
  }),
  revokeShareLink: t.field({
    type: DeleteResult,
    description: 'Ends the link at once: it answers 404 from then on.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const removed = await context.services.records.removeShareLink(await requireUser(context), String(id));
      if (!removed) throw new NotFoundError('No such share link.');
      return { id: String(id) };
    },
  }),
}));
