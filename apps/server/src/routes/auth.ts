import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { routes } from '@wxauth/contracts';
import { AppError } from '../errors.js';
import { fromContract } from './contract.js';

const notYet = async () => {
  throw new AppError(501, 'NOT_IMPLEMENTED', 'Not implemented yet.', { expose: true });
};

/** Login, session, logout, phone number and decryption: the session routes of the contract. */
const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.route({ ...fromContract(routes.login), handler: notYet });
  app.route({ ...fromContract(routes.session), handler: notYet });
  app.route({ ...fromContract(routes.logout), handler: notYet });
  app.route({ ...fromContract(routes.logoutAll), handler: notYet });
  app.route({ ...fromContract(routes.phone), handler: notYet });
  app.route({ ...fromContract(routes.decrypt), handler: notYet });
};

export default authRoutes;
