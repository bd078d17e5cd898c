// Which fields a client selected under the field being resolved: lets a resolver skip work whose
// only result is a field nobody asked for (an output's SSIM costs a decode and a comparison).
// graphql-js resolves fragments and @skip/@include only while it executes the children, so the
// resolver reads the selection itself, with graphql-js's own directive and subtype rules.
import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** Whether `fieldName` of `objectType` is selected (and not skipped) under the current field. */
export function selectsField(info: GraphQLResolveInfo, objectTypeName: string, fieldName: string): boolean {
  const objectType = info.schema.getType(objectTypeName);
  if (!isObjectType(objectType)) throw new Error(`${objectTypeName} is not an object type`);
  const included = (node: Parameters<typeof getDirectiveValues>[1]) =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
  const appliesTo = (typeName: string | undefined) => {
    if (typeName === undefined || typeName === objectType.name) return true;
    const type = info.schema.getType(typeName);
    return type !== undefined && isAbstractType(type) && info.schema.isSubType(type, objectType);
  };
  const visited = new Set<string>();
  const search = (selectionSet: SelectionSetNode | undefined): boolean =>
    (selectionSet?.selections ?? []).some((selection) => {
      if (!included(selection)) return false;
      if (selection.kind === Kind.FIELD) return selection.name.value === fieldName;
      if (selection.kind === Kind.INLINE_FRAGMENT) return appliesTo(selection.typeCondition?.name.value) && search(selection.selectionSet);
      const name = selection.name.value;
      const fragment = info.fragments[name];
      if (!fragment || visited.has(name)) return false;
      visited.add(name);
      return appliesTo(fragment.typeCondition.name.value) && search(fragment.selectionSet);
    });
  return info.fieldNodes.some((node) => search(node.selectionSet));
}
