// The admin function: the admin web page's API behind CloudBase's HTTP access service
// (`/admin-api/*`). Its own login (HTTP-access calls carry no WeChat identity), one permission
// table (typings/admin.ts), and a row of {schema, handler} per route.
import { z } from 'zod';
import { database } from './cloudbase';
import { type AdminContext, authenticate, envOf } from './context';
import { adminHandlers } from './handlers';
import { clientAddress, createHttpRouter, type HttpEvent } from './http';

z.config(z.locales.zhCN());

export const main = createHttpRouter<AdminContext>({
  handlers: adminHandlers,
  authenticate: (token) => authenticate(database(), token, new Date()),
  context: (caller, event: HttpEvent) => ({
    db: database(),
    now: new Date(),
    caller,
    envId: envOf(event),
    clientAddress: clientAddress(event),
  }),
  corsOrigin: process.env.LEADPOOL_ADMIN_ORIGIN,
});
