// Mutations that write to the data folder are refused with STORAGE_FULL (507) while free
// space is below the floor, before any resolver runs. Deleting, logging in and reading still work,
// so users can make room.
import type { DefinitionNode, OperationDefinitionNode, SelectionNode } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { DiskSpace } from '../health/disk-space.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';

/** Root mutation fields that write files or the database. */
const WRITING_FIELDS = new Set(['signUp', 'uploadImage', 'updateImage', 'compressImage', 'compressUpload']);

export function useDiskFloor(disk: DiskSpace): Plugin {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const operation = args.document.definitions.find(
        (definition: DefinitionNode): definition is OperationDefinitionNode =>
          definition.kind === 'OperationDefinition' && (!args.operationName || definition.name?.value === args.operationName),
      );
      if (operation?.operation !== 'mutation') return;
      const writes = operation.selectionSet.selections.some(
        (selection: SelectionNode) => selection.kind !== 'Field' || WRITING_FIELDS.has(selection.name.value),
      );
      if (!writes) return;
      const reading = await disk.read();
      if (!reading.low) return;
      setResultAndStopExecution({
        errors: [
          createGraphQLError('The server is low on disk space, so nothing new can be stored right now. Deleting images still works.', {
            extensions: { code: RequestErrorCodes.STORAGE_FULL, http: { status: 507 } },
          }),
        ],
      });
    },
  };
}
