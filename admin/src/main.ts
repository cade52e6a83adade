import TDesign from 'tdesign-vue-next';
import { createApp } from 'vue';
import 'tdesign-vue-next/es/style/index.css';
import App from './App.vue';
import { router } from './router';

createApp(App).use(TDesign).use(router).mount('#app');
