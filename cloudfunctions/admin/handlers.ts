import { accountHandlers } from './accounts';
import { activityHandlers } from './activities';
import { codeHandlers } from './codes';
import { customerHandlers } from './customers';
import { dashboardHandlers } from './dashboard';
import { exportHandlers } from './exports';
import { insightHandlers } from './insight';
import { leadHandlers } from './leads';
import { libraryHandlers } from './library';
import { pipelineHandlers } from './pipeline';
import { posterHandlers } from './posters';
import { sopHandlers } from './sop';
import { staffHandlers } from './staff';
import { storeHandlers } from './stores';
import { templateHandlers } from './templates';
import { wecomHandlers } from './wecom';

/** Every route's {schema, handler} row, one module per resource (the validation sweep reads them too). */
export const adminHandlers = {
  ...accountHandlers,
  ...leadHandlers,
  ...exportHandlers,
  ...dashboardHandlers,
  ...activityHandlers,
  ...templateHandlers,
  ...codeHandlers,
  ...posterHandlers,
  ...staffHandlers,
  ...storeHandlers,
  ...pipelineHandlers,
  ...sopHandlers,
  ...libraryHandlers,
  ...wecomHandlers,
  ...customerHandlers,
  ...insightHandlers,
};
