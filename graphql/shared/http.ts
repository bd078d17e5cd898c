// Names the server and the site must agree on.

export const GRAPHQL_PATH = '/graphql';
/** The site's session cookie; the API accepts its token as well as a bearer header. */
export const SESSION_COOKIE = 'pixpress_session';
