import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

export default defineConfig<'webpack5'>(async () => {
  const config: UserConfigExport<'webpack5'> = {
    projectName: 'wxauth-client',
    date: '2026-11-26',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: process.env.TARO_ENV === 'h5' ? 'dist-h5' : 'dist',
    // TARO_APP_ID sets the appid of the DevTools project; the default is the simulator's test app.
    plugins: [path.resolve(__dirname, 'project-appid-plugin.js')],
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    alias: { '@': path.resolve(__dirname, '..', 'src') },
    mini: {
      compile: { include: [path.resolve(__dirname, '..', '..', '..', 'packages', 'contracts', 'dist')] },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: {
          enable: false,
          config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' },
        },
      },
    },
    // The H5 build is for development and the end-to-end test only (its platform adapter asks the
    // WeChat simulator for codes): see src/auth/default-platform.h5.ts.
    h5: {
      // Taro's React components (@tarojs/components-react) instead of its web components: those get
      // React 18's boolean props as attributes, so `disabled={false}` renders as disabled="false" and
      // their own [disabled] / [loading] styles make every enabled button look disabled.
      useHtmlComponents: true,
      publicPath: '/',
      staticDirectory: 'static',
      postcss: { autoprefixer: { enable: true, config: {} } },
      devServer: {
        // H5_PORT: the port `pnpm dev` gives the H5 dev server (the server's CORS allows its origin).
        port: Number(process.env['H5_PORT'] || 10086),
        // The stack prints its URLs once everything answers; no browser to open on a CI box or over SSH.
        open: false,
      },
      // A development bundle over webpack's 244 KiB hint is expected; the weapp build has its own budget.
      webpackChain(chain) {
        chain.performance.hints(false);
      },
    },
  };
  return config;
});
