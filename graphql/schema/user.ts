import { builder } from '../builder.ts';
import { changePassword, deleteAccount, logIn, signUp, type SignedIn } from '../auth/accounts.ts';
import { admitLogIn, admitSignUp, refuseWhenBusy } from '../auth/anonymous-limits.ts';
import { InvalidCredentialsError, UsernameTakenError, ValidationError } from '../errors.ts';
import type { UserRecord } from '../store/records.ts';
import { requireUser } from './errors.ts';
import { DeletedType } from './image.ts';

export const UserType = builder.objectRef<UserRecord>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
    usage: t.field({ type: UsageType, resolve: (user) => user }),
  }),
});

const UsageType = builder.objectRef<UserRecord>('Usage').implement({
  description: "The caller's use of its quotas.",
  fields: (t) => ({
    images: t.int({ resolve: async (user, _args, { loaders }) => (await loaders.usage.load(user.id)).images }),
    maxImages: t.int({ resolve: (_user, _args, { services }) => services.config.quotaImages }),
    maxCompressionsPerImage: t.int({ resolve: (_user, _args, { services }) => services.config.quotaCompressionsPerImage }),
    files: t.int({
      description: 'Originals plus compressions.',
      resolve: async (user, _args, { loaders }) => (await loaders.usage.load(user.id)).files,
    }),
    maxFiles: t.int({ resolve: (_user, _args, { services }) => services.config.quotaFiles }),
    maxBytes: t.float({
      description: "The caller's byte quota (originals plus compressions).",
      resolve: (_user, _args, { services }) => services.config.quotaBytes,
    }),
    bytes: t.float({
      description: 'Bytes stored: originals plus compressions.',
      resolve: async (user, _args, { loaders }) => (await loaders.usage.load(user.id)).bytes,
    }),
  }),
});

const AuthPayloadType = builder.objectRef<SignedIn>('AuthPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'A JWT for the Authorization: Bearer header.' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (payload) => payload.expiresAt }),
    user: t.field({ type: UserType, resolve: (payload) => payload.user }),
  }),
});

const AuthResult = builder.errorUnion('AuthResult', {
  types: [AuthPayloadType, ValidationError, UsernameTakenError, InvalidCredentialsError],
  resolveType: () => 'AuthPayload',
});

builder.queryType({});
builder.mutationType({});

builder.queryField('me', (t) =>
  t.field({
    type: UserType,
    nullable: true,
    description: 'The signed-in user, or null.',
    resolve: async (_root, _args, { userId, loaders }) => (userId ? await loaders.user.load(userId) : null),
  }),
);

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthResult,
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_root, { username, password }, { services, clientAddress }) => {
      await admitSignUp(services.rateLimiter, services.config, clientAddress);
      return refuseWhenBusy(() => signUp(services, username, password));
    },
  }),
  logIn: t.field({
    type: AuthResult,
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_root, { username, password }, { services, clientAddress }) => {
      await admitLogIn(services.rateLimiter, services.config, clientAddress);
      return refuseWhenBusy(() => logIn(services, username, password, clientAddress));
    },
  }),
}));

const ChangePasswordResult = builder.errorUnion('ChangePasswordResult', {
  types: [AuthPayloadType, ValidationError, InvalidCredentialsError],
  resolveType: () => 'AuthPayload',
});

const DeleteAccountResult = builder.errorUnion('DeleteAccountResult', {
  types: [DeletedType, InvalidCredentialsError],
  resolveType: () => 'Deleted',
});

builder.mutationFields((t) => ({
  logOut: t.boolean({
    description: 'Ends this session: the token used for this request stops working at once.',
    resolve: async (_root, _args, { services, session }) => {
      if (!session) return false;
      await services.records.revokeToken(session.tokenId, session.expiresAt);
      return true;
    },
  }),
  changePassword: t.field({
    type: ChangePasswordResult,
    description: 'Changes the password and ends every other session; returns a fresh token.',
    args: { currentPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: async (_root, { currentPassword, newPassword }, context) => {
      const userId = await requireUser(context);
      return refuseWhenBusy(() => changePassword(context.services, userId, currentPassword, newPassword, context.clientAddress));
    },
  }),
  deleteAccount: t.field({
    type: DeleteAccountResult,
    description: 'Deletes the account, its images, compressions, share links and files.',
    args: { password: t.arg.string({ required: true }) },
    resolve: async (_root, { password }, context) => {
      const userId = await requireUser(context);
      await refuseWhenBusy(() => deleteAccount(context.services, userId, password, context.clientAddress));
      return { id: userId };
    },
  }),
}));
