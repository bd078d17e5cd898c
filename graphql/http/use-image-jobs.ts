// Image work per GraphQL request: at most a few image jobs in one document (aliases and fragments
// count; four requests of 20 aliased previews once held the whole queue for half an hour), and
// every job the execution starts carries its owner (the signed-in user, else the address) and,
// for queries (previews), the shorter preview time limit.
import type { FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Context } from '../builder.ts';
import { imageJobScope } from '../imaging/queue.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';

/** Root fields that each start an image job. */
export const IMAGE_JOB_FIELDS = new Set(['uploadImage', 'compressImage', 'compressUpload', 'previewCompression']);
export const MAX_IMAGE_JOBS_PER_REQUEST = 3;

export interface ImageJobSettings {
  previewTimeoutMs: number;
}

export function useImageJobs(settings: ImageJobSettings): Plugin<Context> {
  return {
    onExecute({ args, setExecuteFn, executeFn, setResultAndStopExecution }) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      let operation: OperationDefinitionNode | undefined;
      for (const definition of args.document.definitions) {
        if (definition.kind === 'FragmentDefinition') fragments.set(definition.name.value, definition);
        if (definition.kind === 'OperationDefinition' && (!args.operationName || definition.name?.value === args.operationName))
          operation ??= definition;
      }
      if (!operation) return;
      const jobs = countImageJobs(operation.selectionSet, fragments, new Set());
      if (jobs > MAX_IMAGE_JOBS_PER_REQUEST) {
        setResultAndStopExecution({
          errors: [
            createGraphQLError(
              `A request may start at most ${MAX_IMAGE_JOBS_PER_REQUEST} image jobs (uploads, compressions, previews); this one asks for ${jobs}.`,
              {
                extensions: { code: RequestErrorCodes.TOO_MANY_IMAGE_JOBS, http: { status: 400 } },
              },
            ),
          ],
        });
        return;
      }
      const context = args.contextValue as Context;
      const scope = {
        owner: context.userId ? `user:${context.userId}` : `address:${context.clientAddress}`,
        ...(operation.operation === 'query' ? { timeoutMs: settings.previewTimeoutMs } : {}),
        // A preview nobody waits for any more (the client aborted it) is not worth finishing; a
        // mutation's work is finished even so, since it stores what the client asked for.
        ...(operation.operation === 'query' ? { signal: (args.contextValue as { request?: Request }).request?.signal } : {}),
      };
      setExecuteFn((executeArgs) => imageJobScope.run(scope, () => executeFn(executeArgs)));
    },
  };
}

function countImageJobs(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === 'Field') {
      if (IMAGE_JOB_FIELDS.has(selection.name.value)) count += 1;
    } else if (selection.kind === 'InlineFragment') {
      count += countImageJobs(selection.selectionSet, fragments, seen);
    } else {
      const fragment = fragments.get(selection.name.value);
      // Each spread counts again; a cycle is GraphQL's validation error, not ours to loop on.
      if (fragment && !seen.has(fragment.name.value)) {
        count += countImageJobs(fragment.selectionSet, fragments, new Set([...seen, fragment.name.value]));
      }
    }
  }
  return count;
}
