export default defineAppConfig({
  pages: ['pages/index/index', 'pages/phone/index'],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: 'wxauth',
    navigationBarTextStyle: 'black',
  },
});
