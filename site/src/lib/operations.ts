// Every GraphQL operation the site sends. graphql-codegen reads this file and types each
// document (site/src/gql); the result and variables types follow from the document.
import { graphql } from '../gql/index.ts';

export const ViewerQuery = graphql(`
  query Viewer {
    me {
      id
      username
      usage { images maxImages files maxFiles bytes maxCompressionsPerImage }
    }
  }
`);

export const LogInMutation = graphql(`
  mutation LogIn($username: String!, $password: String!) {
    logIn(username: $username, password: $password) {
      __typename
      ... on AuthPayload { token expiresAt }
      ... on Error { code message }
    }
  }
`);

export const SignUpMutation = graphql(`
  mutation SignUp($username: String!, $password: String!) {
    signUp(username: $username, password: $password) {
      __typename
      ... on AuthPayload { token expiresAt }
      ... on ValidationError { field }
      ... on Error { code message }
    }
  }
`);

export const GalleryQuery = graphql(`
  query Gallery($first: Int!, $after: String, $orderBy: ImageOrder!, $search: String, $tag: String) {
    images(first: $first, after: $after, orderBy: $orderBy, search: $search, tag: $tag) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node { id name width height bytes format tags createdAt thumbnailUrl displayUrl }
      }
    }
    tags { name count }
  }
`);

export const ImageQuery = graphql(`
  query ImageDetail($id: ID!) {
    image(id: $id) {
      id name format mimeType width height bytes tags createdAt updatedAt url urlExpiresAt displayUrl
      photoFacts { camera lens exposureTime fNumber iso focalLength takenAt colourProfile }
      compressions {
        id format mimeType width height bytes quality ssim savings createdAt url downloadName
        options {
          width height fit format quality targetSsim maxBytes effort
          transform { crop { left top width height } rotate flip flop brightness saturation hue grayscale sharpen blur focus background }
        }
      }
    }
  }
`);

export const ImageUrlsQuery = graphql(`
  query ImageUrls($id: ID!) {
    image(id: $id) { id url displayUrl urlExpiresAt compressions { id url } }
  }
`);

export const UploadImageMutation = graphql(`
  mutation UploadImage($file: Upload!, $name: String, $tags: [String!]) {
    uploadImage(file: $file, name: $name, tags: $tags) {
      __typename
      ... on Image { id name width height bytes }
      ... on FileTooLargeError { maxBytes maxPixels }
      ... on QuotaExceededError { limit }
      ... on ValidationError { field }
      ... on Error { code message }
    }
  }
`);

export const UpdateImageMutation = graphql(`
  mutation UpdateImage($id: ID!, $name: String, $tags: [String!]) {
    updateImage(id: $id, name: $name, tags: $tags) {
      __typename
      ... on Image { id name tags updatedAt }
      ... on ValidationError { field }
      ... on Error { code message }
    }
  }
`);

export const DeleteImageMutation = graphql(`
  mutation DeleteImage($id: ID!) {
    deleteImage(id: $id) {
      __typename
      ... on Deleted { id }
      ... on Error { code message }
    }
  }
`);

export const DeleteImagesMutation = graphql(`
  mutation DeleteImages($ids: [ID!]!) {
    deleteImages(ids: $ids) {
      __typename
      ... on BulkDeleted { results { __typename } }
      ... on Error { code message }
    }
  }
`);

export const TagImagesMutation = graphql(`
  mutation TagImages($ids: [ID!]!, $add: [String!], $remove: [String!]) {
    tagImages(ids: $ids, add: $add, remove: $remove) {
      __typename
      ... on BulkRetagged { results { __typename } }
      ... on Error { code message }
    }
  }
`);

export const CompressImagesMutation = graphql(`
  mutation CompressImages($ids: [ID!]!, $options: CompressOptions!) {
    compressImages(ids: $ids, options: $options) {
      __typename
      ... on BulkCompressed { results { __typename } }
      ... on Error { code message }
    }
  }
`);

export const PreviewCompressionQuery = graphql(`
  query PreviewCompression($imageId: ID!, $options: CompressOptions!) {
    previewCompression(imageId: $imageId, options: $options) {
      __typename
      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 ticket }
      ... on ValidationError { field }
      ... on InvalidTransformError { field }
      ... on Error { code message }
    }
  }
`);

export const CompressImageMutation = graphql(`
  mutation CompressImage($imageId: ID!, $options: CompressOptions!, $ticket: String) {
    compressImage(imageId: $imageId, options: $options, ticket: $ticket) {
      __typename
      ... on Compression { id format width height bytes quality ssim savings }
      ... on QuotaExceededError { limit }
      ... on ValidationError { field }
      ... on InvalidTransformError { field }
      ... on Error { code message }
    }
  }
`);

export const CompressUploadMutation = graphql(`
  mutation CompressUpload($file: Upload!, $options: CompressOptions!) {
    compressUpload(file: $file, options: $options) {
      __typename
      ... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 }
      ... on FileTooLargeError { maxBytes maxPixels }
      ... on ValidationError { field }
      ... on InvalidTransformError { field }
      ... on Error { code message }
    }
  }
`);

export const DeleteCompressionMutation = graphql(`
  mutation DeleteCompression($id: ID!) {
    deleteCompression(id: $id) {
      __typename
      ... on Deleted { id }
      ... on Error { code message }
    }
  }
`);

export const LogOutMutation = graphql(`
  mutation LogOut {
    logOut
  }
`);

export const ShareLinksQuery = graphql(`
  query ShareLinks {
    shareLinks {
      id url expiresAt createdAt expired
      image { id name }
      compression { id format width height }
    }
  }
`);

export const CreateShareLinkMutation = graphql(`
  mutation CreateShareLink($compressionId: ID, $imageId: ID, $expiresInSeconds: Int) {
    createShareLink(compressionId: $compressionId, imageId: $imageId, expiresInSeconds: $expiresInSeconds) {
      __typename
      ... on ShareLink { id url expiresAt }
      ... on QuotaExceededError { limit }
      ... on ValidationError { field }
      ... on Error { code message }
    }
  }
`);

export const RevokeShareLinkMutation = graphql(`
  mutation RevokeShareLink($id: ID!) {
    revokeShareLink(id: $id) {
      __typename
      ... on Deleted { id }
      ... on Error { code message }
    }
  }
`);

export const CompressResponsiveMutation = graphql(`
  mutation CompressResponsive($imageId: ID!, $widths: [Int!]!, $formats: [OutputFormat!]!, $options: CompressOptions) {
    compressResponsive(imageId: $imageId, widths: $widths, formats: $formats, options: $options) {
      __typename
      ... on ResponsiveSet { html compressions { id } }
      ... on QuotaExceededError { limit }
      ... on ValidationError { field }
      ... on Error { code message }
    }
  }
`);

// Everything a preset holds, so applying one sets the whole form.
export const PresetOptionsFragment = graphql(`
  fragment PresetOptionsFields on PresetOptions {
    width height format quality targetSsim maxBytes effort fit
    transform { rotate flip flop brightness saturation hue grayscale sharpen blur focus background }
  }
`);

export const PresetsQuery = graphql(`
  query Presets {
    presets {
      id name
      options { ...PresetOptionsFields }
    }
  }
`);

export const SavePresetMutation = graphql(`
  mutation SavePreset($name: String!, $options: CompressOptions!) {
    savePreset(name: $name, options: $options) {
      __typename
      ... on Preset { id name options { ...PresetOptionsFields } }
      ... on QuotaExceededError { limit }
      ... on ValidationError { field }
      ... on Error { code message }
    }
  }
`);

export const DeletePresetMutation = graphql(`
  mutation DeletePreset($id: ID!) {
    deletePreset(id: $id) {
      __typename
      ... on Deleted { id }
      ... on Error { code message }
    }
  }
`);
