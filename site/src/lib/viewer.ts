import type { ViewerQuery } from '../gql/graphql.ts';

export type Viewer = NonNullable<ViewerQuery['me']>;
