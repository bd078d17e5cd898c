// The check lives with the server's routes, which refuse cross-site posts the same way.
export { isCrossSitePost } from '../../../graphql/shared/same-origin.ts';
