// Writes the appid from configuration (TARO_APP_ID, else the simulator's test app) into the
// output's project.config.json, so WeChat DevTools opens the build as that mini-program.
const fs = require('node:fs');
const path = require('node:path');

const TEST_APPID = 'wx0000000000000001';

module.exports = (ctx) => {
  ctx.onBuildFinish(() => {
    if (process.env.TARO_ENV !== 'weapp') return;
    const file = path.join(ctx.paths.outputPath, 'project.config.json');
    if (!fs.existsSync(file)) return;
    const appid = process.env.TARO_APP_ID || TEST_APPID;
    if (!/^wx[0-9a-f]{16}$/.test(appid)) throw new Error(`TARO_APP_ID is not an appid: ${appid}`);
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (config.appid === appid) return;
    fs.writeFileSync(file, `${JSON.stringify({ ...config, appid }, null, 2)}\n`);
  });
};
