// compressResponsive: a set of stored compressions and the <picture> element that uses them.
import { builder } from '../builder.ts';
import { InvalidTransformError, NotFoundError, QuotaExceededError, TargetUnreachableError, ValidationError } from '../errors.ts';
import { chargeDecode } from '../imaging/decode-budget.ts';
import type { CompressOptionsInput, RequestedFormat } from '../imaging/compress-options.ts';
import {
  effectiveWidths,
  MAX_SET_FORMATS,
  MAX_SET_WIDTHS,
  storeResponsiveSet,
  validateResponsiveRequest,
  type ResponsiveSet,
} from '../imaging/responsive-sets.ts';
import { CompressionType, CompressOptionsInputType, OutputFormatEnum } from './compression.ts';
import { requireUser } from './errors.ts';

const ResponsiveSetType = builder.objectRef<ResponsiveSet>('ResponsiveSet').implement({
  description: 'Compressions made together for a responsive <picture>, one per width and format.',
  fields: (t) => ({
    compressions: t.field({ type: [CompressionType], resolve: (set) => set.compressions }),
    html: t.exposeString('html', {
      description:
        'A ready <picture> element with srcset and sizes. Its URLs are share links without expiry (see shareLinks), so it can go into a page as is.',
    }),
  }),
});

const ResponsiveSetResult = builder.errorUnion('ResponsiveSetResult', {
  types: [ResponsiveSetType, ValidationError, NotFoundError, QuotaExceededError, TargetUnreachableError, InvalidTransformError],
  resolveType: () => 'ResponsiveSet',
});

builder.mutationFields((t) => ({
  compressResponsive: t.field({
    type: ResponsiveSetResult,
    description: `One compression per width x format, stored together (each counts toward the per-image quota; the set is refused whole when it does not fit). 1..${MAX_SET_WIDTHS} widths (above the original's width they collapse to it) and 1..${MAX_SET_FORMATS} formats other than AUTO; options may not set width, height or format.`,
    args: {
      imageId: t.arg.id({ required: true }),
      widths: t.arg.intList({ required: true }),
      formats: t.arg({ type: [OutputFormatEnum], required: true }),
      options: t.arg({ type: CompressOptionsInputType }),
    },
    resolve: async (_root, { imageId, widths, formats, options }, context) => {
      const userId = await requireUser(context);
      const request = { widths, formats: formats as RequestedFormat[], options: options as CompressOptionsInput | null };
      // Checked before the decode budget is charged, so a malformed request costs nothing.
      const valid = validateResponsiveRequest(request);
      const image = await context.services.records.getImage(userId, String(imageId));
      if (image) {
        const { services } = context;
        // One decode per file of the set.
        const files = effectiveWidths(valid.widths, image, valid.transform).length * valid.formats.length;
        await chargeDecode(services.decodeLimiter, userId, image.width * image.height * files, services.config.decodeMegapixelsPerMinute);
      }
      return storeResponsiveSet(context.services, userId, String(imageId), request, context.origin);
    },
  }),
}));
