/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    me {\n      id\n      username\n      usage { images maxImages files maxFiles bytes maxCompressionsPerImage }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  mutation LogIn($username: String!, $password: String!) {\n    logIn(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on Error { code message }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation SignUp($username: String!, $password: String!) {\n    signUp(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  query Gallery($first: Int!, $after: String, $orderBy: ImageOrder!, $search: String, $tag: String) {\n    images(first: $first, after: $after, orderBy: $orderBy, search: $search, tag: $tag) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node { id name width height bytes format tags createdAt thumbnailUrl displayUrl }\n      }\n    }\n    tags { name count }\n  }\n": typeof types.GalleryDocument,
    "\n  query ImageDetail($id: ID!) {\n    image(id: $id) {\n      id name format mimeType width height bytes tags createdAt updatedAt url urlExpiresAt displayUrl\n      photoFacts { camera lens exposureTime fNumber iso focalLength takenAt colourProfile }\n      compressions {\n        id format mimeType width height bytes quality ssim savings createdAt url downloadName\n        options {\n          width height fit format quality targetSsim maxBytes effort\n          transform { crop { left top width height } rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n        }\n      }\n    }\n  }\n": typeof types.ImageDetailDocument,
    "\n  query ImageUrls($id: ID!) {\n    image(id: $id) { id url displayUrl urlExpiresAt compressions { id url } }\n  }\n": typeof types.ImageUrlsDocument,
    "\n  mutation UploadImage($file: Upload!, $name: String, $tags: [String!]) {\n    uploadImage(file: $file, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name width height bytes }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.UploadImageDocument,
    "\n  mutation UpdateImage($id: ID!, $name: String, $tags: [String!]) {\n    updateImage(id: $id, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name tags updatedAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.UpdateImageDocument,
    "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": typeof types.DeleteImageDocument,
    "\n  mutation DeleteImages($ids: [ID!]!) {\n    deleteImages(ids: $ids) {\n      __typename\n      ... on BulkDeleted { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.DeleteImagesDocument,
    "\n  mutation TagImages($ids: [ID!]!, $add: [String!], $remove: [String!]) {\n    tagImages(ids: $ids, add: $add, remove: $remove) {\n      __typename\n      ... on BulkRetagged { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.TagImagesDocument,
    "\n  mutation CompressImages($ids: [ID!]!, $options: CompressOptions!) {\n    compressImages(ids: $ids, options: $options) {\n      __typename\n      ... on BulkCompressed { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.CompressImagesDocument,
    "\n  query PreviewCompression($imageId: ID!, $options: CompressOptions!) {\n    previewCompression(imageId: $imageId, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 ticket }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.PreviewCompressionDocument,
    "\n  mutation CompressImage($imageId: ID!, $options: CompressOptions!, $ticket: String) {\n    compressImage(imageId: $imageId, options: $options, ticket: $ticket) {\n      __typename\n      ... on Compression { id format width height bytes quality ssim savings }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.CompressImageDocument,
    "\n  mutation CompressUpload($file: Upload!, $options: CompressOptions!) {\n    compressUpload(file: $file, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.CompressUploadDocument,
    "\n  mutation DeleteCompression($id: ID!) {\n    deleteCompression(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": typeof types.DeleteCompressionDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": typeof types.LogOutDocument,
    "\n  query ShareLinks {\n    shareLinks {\n      id url expiresAt createdAt expired\n      image { id name }\n      compression { id format width height }\n    }\n  }\n": typeof types.ShareLinksDocument,
    "\n  mutation CreateShareLink($compressionId: ID, $imageId: ID, $expiresInSeconds: Int) {\n    createShareLink(compressionId: $compressionId, imageId: $imageId, expiresInSeconds: $expiresInSeconds) {\n      __typename\n      ... on ShareLink { id url expiresAt }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.CreateShareLinkDocument,
    "\n  mutation RevokeShareLink($id: ID!) {\n    revokeShareLink(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": typeof types.RevokeShareLinkDocument,
    "\n  mutation CompressResponsive($imageId: ID!, $widths: [Int!]!, $formats: [OutputFormat!]!, $options: CompressOptions) {\n    compressResponsive(imageId: $imageId, widths: $widths, formats: $formats, options: $options) {\n      __typename\n      ... on ResponsiveSet { html compressions { id } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.CompressResponsiveDocument,
    "\n  fragment PresetOptionsFields on PresetOptions {\n    width height format quality targetSsim maxBytes effort fit\n    transform { rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n  }\n": typeof types.PresetOptionsFieldsFragmentDoc,
    "\n  query Presets {\n    presets {\n      id name\n      options { ...PresetOptionsFields }\n    }\n  }\n": typeof types.PresetsDocument,
    "\n  mutation SavePreset($name: String!, $options: CompressOptions!) {\n    savePreset(name: $name, options: $options) {\n      __typename\n      ... on Preset { id name options { ...PresetOptionsFields } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": typeof types.SavePresetDocument,
    "\n  mutation DeletePreset($id: ID!) {\n    deletePreset(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": typeof types.DeletePresetDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    me {\n      id\n      username\n      usage { images maxImages files maxFiles bytes maxCompressionsPerImage }\n    }\n  }\n": types.ViewerDocument,
    "\n  mutation LogIn($username: String!, $password: String!) {\n    logIn(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on Error { code message }\n    }\n  }\n": types.LogInDocument,
    "\n  mutation SignUp($username: String!, $password: String!) {\n    signUp(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": types.SignUpDocument,
    "\n  query Gallery($first: Int!, $after: String, $orderBy: ImageOrder!, $search: String, $tag: String) {\n    images(first: $first, after: $after, orderBy: $orderBy, search: $search, tag: $tag) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node { id name width height bytes format tags createdAt thumbnailUrl displayUrl }\n      }\n    }\n    tags { name count }\n  }\n": types.GalleryDocument,
    "\n  query ImageDetail($id: ID!) {\n    image(id: $id) {\n      id name format mimeType width height bytes tags createdAt updatedAt url urlExpiresAt displayUrl\n      photoFacts { camera lens exposureTime fNumber iso focalLength takenAt colourProfile }\n      compressions {\n        id format mimeType width height bytes quality ssim savings createdAt url downloadName\n        options {\n          width height fit format quality targetSsim maxBytes effort\n          transform { crop { left top width height } rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n        }\n      }\n    }\n  }\n": types.ImageDetailDocument,
    "\n  query ImageUrls($id: ID!) {\n    image(id: $id) { id url displayUrl urlExpiresAt compressions { id url } }\n  }\n": types.ImageUrlsDocument,
    "\n  mutation UploadImage($file: Upload!, $name: String, $tags: [String!]) {\n    uploadImage(file: $file, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name width height bytes }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": types.UploadImageDocument,
    "\n  mutation UpdateImage($id: ID!, $name: String, $tags: [String!]) {\n    updateImage(id: $id, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name tags updatedAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": types.UpdateImageDocument,
    "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": types.DeleteImageDocument,
    "\n  mutation DeleteImages($ids: [ID!]!) {\n    deleteImages(ids: $ids) {\n      __typename\n      ... on BulkDeleted { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n": types.DeleteImagesDocument,
    "\n  mutation TagImages($ids: [ID!]!, $add: [String!], $remove: [String!]) {\n    tagImages(ids: $ids, add: $add, remove: $remove) {\n      __typename\n      ... on BulkRetagged { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n": types.TagImagesDocument,
    "\n  mutation CompressImages($ids: [ID!]!, $options: CompressOptions!) {\n    compressImages(ids: $ids, options: $options) {\n      __typename\n      ... on BulkCompressed { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n": types.CompressImagesDocument,
    "\n  query PreviewCompression($imageId: ID!, $options: CompressOptions!) {\n    previewCompression(imageId: $imageId, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 ticket }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n": types.PreviewCompressionDocument,
    "\n  mutation CompressImage($imageId: ID!, $options: CompressOptions!, $ticket: String) {\n    compressImage(imageId: $imageId, options: $options, ticket: $ticket) {\n      __typename\n      ... on Compression { id format width height bytes quality ssim savings }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n": types.CompressImageDocument,
    "\n  mutation CompressUpload($file: Upload!, $options: CompressOptions!) {\n    compressUpload(file: $file, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n": types.CompressUploadDocument,
    "\n  mutation DeleteCompression($id: ID!) {\n    deleteCompression(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": types.DeleteCompressionDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": types.LogOutDocument,
    "\n  query ShareLinks {\n    shareLinks {\n      id url expiresAt createdAt expired\n      image { id name }\n      compression { id format width height }\n    }\n  }\n": types.ShareLinksDocument,
    "\n  mutation CreateShareLink($compressionId: ID, $imageId: ID, $expiresInSeconds: Int) {\n    createShareLink(compressionId: $compressionId, imageId: $imageId, expiresInSeconds: $expiresInSeconds) {\n      __typename\n      ... on ShareLink { id url expiresAt }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": types.CreateShareLinkDocument,
    "\n  mutation RevokeShareLink($id: ID!) {\n    revokeShareLink(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": types.RevokeShareLinkDocument,
    "\n  mutation CompressResponsive($imageId: ID!, $widths: [Int!]!, $formats: [OutputFormat!]!, $options: CompressOptions) {\n    compressResponsive(imageId: $imageId, widths: $widths, formats: $formats, options: $options) {\n      __typename\n      ... on ResponsiveSet { html compressions { id } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": types.CompressResponsiveDocument,
    "\n  fragment PresetOptionsFields on PresetOptions {\n    width height format quality targetSsim maxBytes effort fit\n    transform { rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n  }\n": types.PresetOptionsFieldsFragmentDoc,
    "\n  query Presets {\n    presets {\n      id name\n      options { ...PresetOptionsFields }\n    }\n  }\n": types.PresetsDocument,
    "\n  mutation SavePreset($name: String!, $options: CompressOptions!) {\n    savePreset(name: $name, options: $options) {\n      __typename\n      ... on Preset { id name options { ...PresetOptionsFields } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n": types.SavePresetDocument,
    "\n  mutation DeletePreset($id: ID!) {\n    deletePreset(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n": types.DeletePresetDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    me {\n      id\n      username\n      usage { images maxImages files maxFiles bytes maxCompressionsPerImage }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    me {\n      id\n      username\n      usage { images maxImages files maxFiles bytes maxCompressionsPerImage }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($username: String!, $password: String!) {\n    logIn(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($username: String!, $password: String!) {\n    logIn(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($username: String!, $password: String!) {\n    signUp(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($username: String!, $password: String!) {\n    signUp(username: $username, password: $password) {\n      __typename\n      ... on AuthPayload { token expiresAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Gallery($first: Int!, $after: String, $orderBy: ImageOrder!, $search: String, $tag: String) {\n    images(first: $first, after: $after, orderBy: $orderBy, search: $search, tag: $tag) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node { id name width height bytes format tags createdAt thumbnailUrl displayUrl }\n      }\n    }\n    tags { name count }\n  }\n"): (typeof documents)["\n  query Gallery($first: Int!, $after: String, $orderBy: ImageOrder!, $search: String, $tag: String) {\n    images(first: $first, after: $after, orderBy: $orderBy, search: $search, tag: $tag) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges {\n        cursor\n        node { id name width height bytes format tags createdAt thumbnailUrl displayUrl }\n      }\n    }\n    tags { name count }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ImageDetail($id: ID!) {\n    image(id: $id) {\n      id name format mimeType width height bytes tags createdAt updatedAt url urlExpiresAt displayUrl\n      photoFacts { camera lens exposureTime fNumber iso focalLength takenAt colourProfile }\n      compressions {\n        id format mimeType width height bytes quality ssim savings createdAt url downloadName\n        options {\n          width height fit format quality targetSsim maxBytes effort\n          transform { crop { left top width height } rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ImageDetail($id: ID!) {\n    image(id: $id) {\n      id name format mimeType width height bytes tags createdAt updatedAt url urlExpiresAt displayUrl\n      photoFacts { camera lens exposureTime fNumber iso focalLength takenAt colourProfile }\n      compressions {\n        id format mimeType width height bytes quality ssim savings createdAt url downloadName\n        options {\n          width height fit format quality targetSsim maxBytes effort\n          transform { crop { left top width height } rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ImageUrls($id: ID!) {\n    image(id: $id) { id url displayUrl urlExpiresAt compressions { id url } }\n  }\n"): (typeof documents)["\n  query ImageUrls($id: ID!) {\n    image(id: $id) { id url displayUrl urlExpiresAt compressions { id url } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadImage($file: Upload!, $name: String, $tags: [String!]) {\n    uploadImage(file: $file, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name width height bytes }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation UploadImage($file: Upload!, $name: String, $tags: [String!]) {\n    uploadImage(file: $file, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name width height bytes }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateImage($id: ID!, $name: String, $tags: [String!]) {\n    updateImage(id: $id, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name tags updatedAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateImage($id: ID!, $name: String, $tags: [String!]) {\n    updateImage(id: $id, name: $name, tags: $tags) {\n      __typename\n      ... on Image { id name tags updatedAt }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteImage($id: ID!) {\n    deleteImage(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteImages($ids: [ID!]!) {\n    deleteImages(ids: $ids) {\n      __typename\n      ... on BulkDeleted { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteImages($ids: [ID!]!) {\n    deleteImages(ids: $ids) {\n      __typename\n      ... on BulkDeleted { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TagImages($ids: [ID!]!, $add: [String!], $remove: [String!]) {\n    tagImages(ids: $ids, add: $add, remove: $remove) {\n      __typename\n      ... on BulkRetagged { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation TagImages($ids: [ID!]!, $add: [String!], $remove: [String!]) {\n    tagImages(ids: $ids, add: $add, remove: $remove) {\n      __typename\n      ... on BulkRetagged { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompressImages($ids: [ID!]!, $options: CompressOptions!) {\n    compressImages(ids: $ids, options: $options) {\n      __typename\n      ... on BulkCompressed { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CompressImages($ids: [ID!]!, $options: CompressOptions!) {\n    compressImages(ids: $ids, options: $options) {\n      __typename\n      ... on BulkCompressed { results { __typename } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewCompression($imageId: ID!, $options: CompressOptions!) {\n    previewCompression(imageId: $imageId, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 ticket }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  query PreviewCompression($imageId: ID!, $options: CompressOptions!) {\n    previewCompression(imageId: $imageId, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 ticket }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompressImage($imageId: ID!, $options: CompressOptions!, $ticket: String) {\n    compressImage(imageId: $imageId, options: $options, ticket: $ticket) {\n      __typename\n      ... on Compression { id format width height bytes quality ssim savings }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CompressImage($imageId: ID!, $options: CompressOptions!, $ticket: String) {\n    compressImage(imageId: $imageId, options: $options, ticket: $ticket) {\n      __typename\n      ... on Compression { id format width height bytes quality ssim savings }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompressUpload($file: Upload!, $options: CompressOptions!) {\n    compressUpload(file: $file, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CompressUpload($file: Upload!, $options: CompressOptions!) {\n    compressUpload(file: $file, options: $options) {\n      __typename\n      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 }\n      ... on FileTooLargeError { maxBytes maxPixels }\n      ... on ValidationError { field }\n      ... on InvalidTransformError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCompression($id: ID!) {\n    deleteCompression(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteCompression($id: ID!) {\n    deleteCompression(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut {\n    logOut\n  }\n"): (typeof documents)["\n  mutation LogOut {\n    logOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ShareLinks {\n    shareLinks {\n      id url expiresAt createdAt expired\n      image { id name }\n      compression { id format width height }\n    }\n  }\n"): (typeof documents)["\n  query ShareLinks {\n    shareLinks {\n      id url expiresAt createdAt expired\n      image { id name }\n      compression { id format width height }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateShareLink($compressionId: ID, $imageId: ID, $expiresInSeconds: Int) {\n    createShareLink(compressionId: $compressionId, imageId: $imageId, expiresInSeconds: $expiresInSeconds) {\n      __typename\n      ... on ShareLink { id url expiresAt }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateShareLink($compressionId: ID, $imageId: ID, $expiresInSeconds: Int) {\n    createShareLink(compressionId: $compressionId, imageId: $imageId, expiresInSeconds: $expiresInSeconds) {\n      __typename\n      ... on ShareLink { id url expiresAt }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeShareLink($id: ID!) {\n    revokeShareLink(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeShareLink($id: ID!) {\n    revokeShareLink(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompressResponsive($imageId: ID!, $widths: [Int!]!, $formats: [OutputFormat!]!, $options: CompressOptions) {\n    compressResponsive(imageId: $imageId, widths: $widths, formats: $formats, options: $options) {\n      __typename\n      ... on ResponsiveSet { html compressions { id } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CompressResponsive($imageId: ID!, $widths: [Int!]!, $formats: [OutputFormat!]!, $options: CompressOptions) {\n    compressResponsive(imageId: $imageId, widths: $widths, formats: $formats, options: $options) {\n      __typename\n      ... on ResponsiveSet { html compressions { id } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PresetOptionsFields on PresetOptions {\n    width height format quality targetSsim maxBytes effort fit\n    transform { rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n  }\n"): (typeof documents)["\n  fragment PresetOptionsFields on PresetOptions {\n    width height format quality targetSsim maxBytes effort fit\n    transform { rotate flip flop brightness saturation hue grayscale sharpen blur focus background }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Presets {\n    presets {\n      id name\n      options { ...PresetOptionsFields }\n    }\n  }\n"): (typeof documents)["\n  query Presets {\n    presets {\n      id name\n      options { ...PresetOptionsFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SavePreset($name: String!, $options: CompressOptions!) {\n    savePreset(name: $name, options: $options) {\n      __typename\n      ... on Preset { id name options { ...PresetOptionsFields } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation SavePreset($name: String!, $options: CompressOptions!) {\n    savePreset(name: $name, options: $options) {\n      __typename\n      ... on Preset { id name options { ...PresetOptionsFields } }\n      ... on QuotaExceededError { limit }\n      ... on ValidationError { field }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePreset($id: ID!) {\n    deletePreset(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation DeletePreset($id: ID!) {\n    deletePreset(id: $id) {\n      __typename\n      ... on Deleted { id }\n      ... on Error { code message }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;