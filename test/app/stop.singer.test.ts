import { stopSuite } from '../helpers/stop-suite.js';

stopSuite('singer');
